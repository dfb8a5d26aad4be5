/** Programme versions on DynamoDB: the versions under the programme, and a current pointer. */
import { parseWith } from '../../model/common.ts';
import { ProgrammeVersion } from '../../model/programme-ref.ts';
import { programmeKeys, SK } from '../../store/keys.ts';
import { AlreadyExists, ConcurrentUpdate } from '../../store/errors.ts';
import type { ProgrammeStore } from '../../store/programmes.ts';
import { numberAttribute, toRecord, type DynamoTable } from './table.ts';

export class DynamoProgrammeStore implements ProgrammeStore {
  constructor(private readonly table: DynamoTable) {}

  async saveProgrammeVersion(input: ProgrammeVersion): Promise<ProgrammeVersion> {
    const version = parseWith(
      ProgrammeVersion,
      input,
      `programme ${input?.programmeId} version ${input?.version}`,
    );
    const id = `${version.programmeId} v${version.version}`;
    const currentKey = programmeKeys.current(version.programmeId);
    await this.table.transact([
      {
        op: {
          Put: {
            TableName: this.table.tableName,
            Item: {
              ...programmeKeys.version(version.programmeId, version.version),
              entity: 'programme-version',
              ...version,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: () =>
          new AlreadyExists(
            'programme version',
            id,
            'that version number is taken; save as the next version',
          ),
      },
      {
        op: {
          Put: {
            TableName: this.table.tableName,
            Item: { ...currentKey, entity: 'programme-current', ...version },
            ...(version.version === 1
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'version = :previous',
                  ExpressionAttributeValues: { ':previous': version.version - 1 },
                }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
        onConditionFailed: async (old) => {
          const found = numberAttribute(old ?? (await this.table.getItem(currentKey)), 'version');
          return new ConcurrentUpdate('programme version', version.programmeId, version.version - 1, found);
        },
      },
    ]);
    return version;
  }

  async getCurrentProgramme(programmeId: string): Promise<ProgrammeVersion | undefined> {
    const item = await this.table.getItem(programmeKeys.current(programmeId));
    return item && toRecord(ProgrammeVersion, item, `current programme ${programmeId}`);
  }

  async getProgrammeVersion(programmeId: string, version: number): Promise<ProgrammeVersion | undefined> {
    const item = await this.table.getItem(programmeKeys.version(programmeId, version));
    return item && toRecord(ProgrammeVersion, item, `programme ${programmeId} version ${version}`);
  }

  async listProgrammeVersions(programmeId: string): Promise<ProgrammeVersion[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': programmeKeys.partition(programmeId),
        ':prefix': SK.programmeVersion,
      },
    });
    return items.map((item) => toRecord(ProgrammeVersion, item, `programme ${programmeId} version`));
  }
}
