import { readFileSync } from 'node:fs';
import type { NetworkDefinition } from './types.ts';
import { validateNetwork } from './validate.ts';

export class NetworkFileError extends Error {}

export function loadNetworkFile(path: string): NetworkDefinition {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new NetworkFileError(`cannot read NETWORK_FILE ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new NetworkFileError(`NETWORK_FILE ${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseNetwork(data, `NETWORK_FILE ${path}`);
}

export function parseNetwork(data: unknown, label: string): NetworkDefinition {
  const problems = validateNetwork(data);
  if (problems.length > 0) {
    const lines = problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
    throw new NetworkFileError(`${label} is invalid (contracts/network.schema.json):\n${lines}`);
  }
  return data as NetworkDefinition;
}
