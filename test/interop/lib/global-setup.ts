// Before the interop files: say clearly when the rig is not installed (the files then skip), and
// start Open Zaak and Open Notificaties when installed but not running (stopped again afterwards).
import { isUp, rigScript, rigState } from './rig.ts';

export default async function setup() {
  const rig = rigState();
  if (!rig.ok) {
    console.warn(`\n[interop] SKIPPED: ${rig.reason}\n`);
    return;
  }
  const up = async () => (await isUp(rig.provision.zakenApiRoot)) && (await isUp(rig.provision.notificatiesApiRoot));
  if (await up()) return;
  console.warn('[interop] starting Open Zaak and Open Notificaties (start.sh)');
  await rigScript('start.sh');
  return async () => rigScript('stop.sh', 'oz', 'on');
}
