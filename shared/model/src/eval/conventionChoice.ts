// Which convention the eval CLI scores a data file with (pure): the one named by --convention, else
// the one of the file's corpus folder (…/weibo/dev.jsonl -> weibo; an alias such as peoples_daily ->
// msra), else the model's default.
import * as path from 'node:path';

export interface ConventionChoice {
  readonly convention: string;
  /** Why: 'flag', 'folder <name>', or 'model default'. */
  readonly reason: string;
}

/**
 * Throws Error naming the model's conventions when `requested` is not one of them ('auto' or
 * undefined = by folder, then the default).
 */
export function chooseConvention(
  dataFile: string,
  requested: string | undefined,
  model: { conventions: readonly string[]; defaultConvention: string; conventionAliases: Readonly<Record<string, string>> },
): ConventionChoice {
  if (requested !== undefined && requested !== 'auto') {
    if (!model.conventions.includes(requested)) throw new Error(`unknown convention ${JSON.stringify(requested)}; the model serves ${model.conventions.join(', ')}`);
    return { convention: requested, reason: 'flag' };
  }
  const folder = path.basename(path.dirname(path.resolve(dataFile)));
  const named = model.conventions.includes(folder) ? folder : model.conventionAliases[folder];
  if (named !== undefined && model.conventions.includes(named)) return { convention: named, reason: `folder ${folder}` };
  return { convention: model.defaultConvention, reason: 'model default' };
}
