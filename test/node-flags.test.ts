// The bench measures the gateway as production runs it: `npm start`, the Dockerfile and the bench's
// gateway process must start Node with the same flags (they set the heap sizing B7 measures).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../bench/lib/gateway-process.ts';

const root = new URL('../', import.meta.url);

describe('Node flags of the gateway process', () => {
  it('are the same in npm start, the Dockerfile and the bench', () => {
    const start: string = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts.start;
    const startFlags = start.split(/\s+/).filter((part) => part.startsWith('--'));
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(new URL('Dockerfile', root), 'utf8'))?.[1];
    const dockerFlags = (JSON.parse(cmd ?? '[]') as string[]).filter((part) => part.startsWith('--'));
    expect(GATEWAY_NODE_FLAGS).toContain('--heap-growing-percent=50');
    expect(startFlags).toEqual(GATEWAY_NODE_FLAGS);
    expect(dockerFlags).toEqual(GATEWAY_NODE_FLAGS);
  });
});
