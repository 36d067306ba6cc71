// The customer's own named overviews across cases ("Mijn overzichten", kundärende): a person's
// groups, or a company's that all its representatives share. A group shows each case with its
// combined status, the progress over all their parts and the newest event; only cases the reader
// may read now, each written to the access log like any case read. A case id the customer may not
// read gets the same answer whether it exists or not.
import { randomUUID } from 'node:crypto';
import { type Db, type Trx, withTransaction } from '../db/database.ts';
import { notFound, ServiceError, type InvalidParam } from '../lib/service-error.ts';
import * as groups from './groups.ts';
import type { Lang } from '../i18n/index.ts';
import type { CitizenService, ReadOptions, Viewer } from './service.ts';

export const GROUP_LIMITS = { groups: 100, cases: 200, name: 100 } as const;

export interface GroupInput {
  name: string;
  caseIds?: string[];
}

export interface GroupChange {
  name?: string;
  /** Replaces the cases the viewer may read; members this login cannot read stay. */
  caseIds?: string[];
}

type Options = Pick<ReadOptions, 'lang' | 'requestId' | 'traceId'>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class GroupService {
  private readonly citizen: CitizenService;
  private readonly limits: { groups: number; cases: number };

  constructor(citizen: CitizenService, limits: Partial<{ groups: number; cases: number }> = {}) {
    this.citizen = citizen;
    this.limits = { groups: limits.groups ?? GROUP_LIMITS.groups, cases: limits.cases ?? GROUP_LIMITS.cases };
  }

  /** The viewer's (or their company's) groups, newest first. */
  async list(viewer: Viewer, query: Options & { page?: number; pageSize?: number } = {}) {
    const pageSize = query.pageSize ?? 20;
    const { scope, access } = this.citizen.ownRead(viewer, query);
    const { count, rows } = await groups.readGroups(this.citizen.db, scope, access, { limit: pageSize, offset: ((query.page ?? 1) - 1) * pageSize });
    return { count, results: rows.map((g) => this.present(g, query.lang ?? 'nl')) };
  }

  /** One group; 404 when it is not the viewer's (or their company's). */
  async get(viewer: Viewer, id: string, options: Options = {}) {
    return this.read(this.citizen.db, viewer, id, options);
  }

  async create(viewer: Viewer, input: GroupInput, options: Options = {}) {
    const name = checkName(input.name);
    const caseIds = this.checkCaseIds(input.caseIds ?? []);
    const { scope } = this.citizen.ownRead(viewer);
    const owner = groups.groupOwnerOf(scope.subject);
    const id = randomUUID();
    return withTransaction(this.citizen.db, async (trx) => {
      await groups.lockOwner(trx, owner);
      if ((await groups.countGroups(trx, owner)) >= this.limits.groups) {
        throw new ServiceError('unprocessable', `You have ${this.limits.groups} overviews, the most there may be; delete one first.`);
      }
      await this.checkReadable(trx, scope, caseIds);
      await groups.insertGroup(trx, { id, owner, name });
      await groups.replaceMembers(trx, id, caseIds);
      return this.read(trx, viewer, id, options);
    });
  }

  /** Renames and/or sets the cases; `caseIds` replaces those the viewer may read, members this login cannot read stay. */
  async update(viewer: Viewer, id: string, change: GroupChange, options: Options = {}) {
    const name = change.name === undefined ? undefined : checkName(change.name);
    const caseIds = change.caseIds === undefined ? undefined : this.checkCaseIds(change.caseIds);
    if (!UUID.test(id)) throw notFound(`group ${id}`);
    const { scope } = this.citizen.ownRead(viewer);
    return withTransaction(this.citizen.db, async (trx) => {
      if (!(await groups.lockGroup(trx, id, groups.groupOwnerOf(scope.subject)))) throw notFound(`group ${id}`);
      if (caseIds) {
        await this.checkReadable(trx, scope, caseIds);
        const hidden = await groups.hiddenMembers(trx, id, scope);
        if (caseIds.length + hidden.length > this.limits.cases) {
          throw unprocessable('caseIds', 'too-many-cases', `a group holds at most ${this.limits.cases} cases, with those this login cannot see`);
        }
        await groups.replaceMembers(trx, id, [...caseIds, ...hidden]);
      }
      await groups.updateGroup(trx, id, { name });
      return this.read(trx, viewer, id, options);
    });
  }

  async remove(viewer: Viewer, id: string): Promise<void> {
    const owner = groups.groupOwnerOf(this.citizen.ownRead(viewer).scope.subject);
    if (!UUID.test(id) || !(await groups.deleteGroup(this.citizen.db, id, owner))) throw notFound(`group ${id}`);
  }

  private async read(db: Db, viewer: Viewer, id: string, options: Options) {
    if (!UUID.test(id)) throw notFound(`group ${id}`);
    const { scope, access } = this.citizen.ownRead(viewer, options);
    const { rows } = await groups.readGroups(db, scope, access, { id });
    if (!rows[0]) throw notFound(`group ${id}`);
    return this.present(rows[0], options.lang ?? 'nl');
  }

  /** Unknown and someone else's cases answer alike: existence is not revealed. */
  private async checkReadable(trx: Trx, scope: Parameters<typeof groups.readableAmong>[1], caseIds: string[]) {
    const readable = await groups.readableAmong(trx, scope, caseIds);
    const unknown: InvalidParam[] = caseIds.flatMap((id, i) =>
      readable.has(id) ? [] : [{ name: `caseIds[${i}]`, code: 'unknown-case', reason: 'is not one of your cases' }],
    );
    if (unknown.length > 0)
      throw new ServiceError('unprocessable', `${unknown.map((p) => p.name).join(', ')}: not one of your cases.`, { invalidParams: unknown });
  }

  private checkCaseIds(caseIds: string[]): string[] {
    if (caseIds.length > this.limits.cases) throw invalid('caseIds', 'too-many-cases', `a group holds at most ${this.limits.cases} cases`);
    const bad = caseIds.findIndex((id) => !UUID.test(id));
    if (bad >= 0) throw invalid(`caseIds[${bad}]`, 'uuid', 'must be a case id (UUID)');
    const lower = caseIds.map((id) => id.toLowerCase());
    if (new Set(lower).size !== lower.length) throw invalid('caseIds', 'unique', 'must not name a case twice');
    return lower;
  }

  private present(g: groups.GroupRow, lang: Lang) {
    const now = new Date();
    const cases = g.cases.map((c) => this.citizen.presenter.caseSummary(c, lang, now));
    const latest = g.latest;
    return {
      id: g.id,
      name: g.name,
      cases,
      progress: cases.reduce((sum, c) => ({ done: sum.done + c.combinedStatus.progress.done, total: sum.total + c.combinedStatus.progress.total }), {
        done: 0,
        total: 0,
      }),
      latestEvent: latest ? { ...this.citizen.presenter.timelineEntry(latest, lang), case: { id: latest.case_id, reference: latest.reference } } : null,
      createdAt: g.created_at.toISOString(),
      updatedAt: g.updated_at.toISOString(),
    };
  }
}

export type CaseGroup = Awaited<ReturnType<GroupService['get']>>;

function checkName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0 || raw.length > GROUP_LIMITS.name) throw invalid('name', 'length', `must be 1 to ${GROUP_LIMITS.name} characters, not only spaces`);
  return name;
}

const invalid = (name: string, code: string, reason: string) => new ServiceError('invalid', `${name} ${reason}.`, { invalidParams: [{ name, code, reason }] });
const unprocessable = (name: string, code: string, reason: string) =>
  new ServiceError('unprocessable', `${name} ${reason}.`, { invalidParams: [{ name, code, reason }] });
