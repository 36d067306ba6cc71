// In-memory storage for the demo identity provider (sessions, codes, grants, interactions).
// oidc-provider has one built in, but it prints a warning to the console on every start; this
// one is as small, expires entries and keeps the demo's output to our own log lines.
interface Entry {
  payload: Record<string, unknown>;
  expiresAt: number;
}

export function memoryAdapterFactory() {
  const store = new Map<string, Entry>();
  const live = (key: string): Entry | undefined => {
    const entry = store.get(key);
    if (entry && entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = () => {
    const now = Date.now();
    for (const [key, entry] of store) if (entry.expiresAt <= now) store.delete(key);
  };

  return class MemoryAdapter {
    private readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    private key(id: string) {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void> {
      if (store.size > 10_000) sweep();
      store.set(this.key(id), { payload, expiresAt: Date.now() + (expiresIn ?? 3600) * 1000 });
      if (payload.grantId) grantIndex(String(payload.grantId)).add(this.key(id));
      if (payload.uid) store.set(`${this.model}:uid:${payload.uid}`, { payload: { id }, expiresAt: Date.now() + (expiresIn ?? 3600) * 1000 });
      if (payload.userCode) store.set(`${this.model}:userCode:${payload.userCode}`, { payload: { id }, expiresAt: Date.now() + (expiresIn ?? 3600) * 1000 });
    }

    async find(id: string): Promise<Record<string, unknown> | undefined> {
      return live(this.key(id))?.payload;
    }

    async findByUid(uid: string) {
      const ref = live(`${this.model}:uid:${uid}`);
      return ref ? this.find(String(ref.payload.id)) : undefined;
    }

    async findByUserCode(userCode: string) {
      const ref = live(`${this.model}:userCode:${userCode}`);
      return ref ? this.find(String(ref.payload.id)) : undefined;
    }

    async consume(id: string): Promise<void> {
      const entry = live(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grantIndex(grantId)) store.delete(key);
      store.delete(`grant-index:${grantId}`);
    }
  };

  function grantIndex(grantId: string): Set<string> {
    const key = `grant-index:${grantId}`;
    let entry = store.get(key);
    if (!entry) {
      entry = { payload: { keys: new Set<string>() }, expiresAt: Date.now() + 24 * 3_600_000 };
      store.set(key, entry);
    }
    return entry.payload.keys as Set<string>;
  }
}
