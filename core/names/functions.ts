// The one naming rule of the Lambda functions, from a step's name to its folder, ASL placeholder and deployed name:
//
//   provisioner step  "Create Or Update Stack" of eks-cf
//     folder       functions/eks-cf/create-or-update-stack/handler.ts
//     placeholder  ${EksCfCreateOrUpdateStackFunctionArn}
//     function id  eks-cf-create-or-update-stack   (deployed as <service>-<stage>-<id>, zip <id>.zip)
//   shared step       "Report Status"
//     folder       functions/common/report-status/handler.ts
//     placeholder  ${ReportStatusFunctionArn}
//     function id  report-status
//   event target (no Task state; an EventBridge rule invokes it): a top-level folder, functions/<id>/handler.ts
//
// Words are split on anything not a letter or digit; kebab lowercases them, Pascal capitalises the first letter and
// lowercases the rest ("Check AWS References" → check-aws-references, CheckAwsReferences), so a placeholder maps
// back to exactly one folder. The local runtime, the packaging and the naming test all use this module.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const PROVISIONER_FOLDERS = ['eks-cf', 'eks-managed', 'eks-fargate'] as const;
/** Steps that several provisioners' state machines share. */
export const COMMON_FOLDER = 'common';

const words = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean);

/** "Check AWS References" → "check-aws-references". */
export const kebab = (name: string) => words(name).map((w) => w.toLowerCase()).join('-');

/** "Check AWS References" → "CheckAwsReferences"; "eks-cf" → "EksCf". */
export const pascal = (name: string) => words(name).map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase()).join('');

/** "check-aws-references" → "Check Aws References": the words of a folder, for messages (the step spells its own name). */
export const titleWords = (folderName: string) => folderName.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');

/** The folder (relative to functions/) of a step: `eks-cf/create-or-update-stack`, `common/report-status`. */
export function stepFolder(provisioner: string | undefined, stepName: string): string {
  return `${provisioner ?? COMMON_FOLDER}/${kebab(stepName)}`;
}

/** The ASL placeholder's base (without "FunctionArn") of a step: EksCfCreateOrUpdateStack, ReportStatus. */
export function placeholderBase(provisioner: string | undefined, stepName: string): string {
  return `${provisioner ? pascal(provisioner) : ''}${pascal(stepName)}`;
}

const splitPascal = (base: string) =>
  base
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();

/** A placeholder's base back to its folder: "EksCfCreateOrUpdateStack" → "eks-cf/create-or-update-stack". */
export function folderForPlaceholder(base: string): string {
  const flat = splitPascal(base);
  const provisioner = PROVISIONER_FOLDERS.find((p) => flat.startsWith(`${p}-`));
  return provisioner ? `${provisioner}/${flat.slice(provisioner.length + 1)}` : `${COMMON_FOLDER}/${flat}`;
}

/** The flat id a folder deploys under: eks-cf/create-or-update-stack → eks-cf-create-or-update-stack; common/x → x. */
export function functionId(folder: string): string {
  return folder.startsWith(`${COMMON_FOLDER}/`) ? folder.slice(COMMON_FOLDER.length + 1) : folder.replaceAll('/', '-');
}

/**
 * Every Lambda function's folder (relative to functionsDir) that holds a handler.ts: the steps under each
 * provisioner's folder and common/, and the top-level event targets.
 */
export function functionFolders(functionsDir: string): string[] {
  const withHandler = (rel: string) => existsSync(path.join(functionsDir, rel, 'handler.ts'));
  const subfolders = (rel: string) =>
    existsSync(path.join(functionsDir, rel))
      ? readdirSync(path.join(functionsDir, rel), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${rel}/${e.name}`)
      : [];
  const topLevel = readdirSync(functionsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  const nested = [...PROVISIONER_FOLDERS, COMMON_FOLDER].flatMap(subfolders);
  return [...topLevel, ...nested].filter(withHandler).sort();
}

/** The same folders by the flat id each deploys under (bundles, zips, serverless keys). */
export function functionFoldersById(functionsDir: string): Map<string, string> {
  return new Map(functionFolders(functionsDir).map((folder) => [functionId(folder), folder]));
}
