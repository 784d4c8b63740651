/** The primitives every role uses: each a factory returning a Task (check + apply). */
export { taskMeta, type TaskOptions, type SpecFn, type TaskMeta } from './task-options.js';
export { file, type FileTaskSpec } from './file.js';
export {
  planFile,
  sha256Of,
  DEFAULT_FILE_MODE,
  type FileSpec,
  type FileChange,
  type FileWrite,
  type Ownership,
} from './file-plan.js';
export { applyFileChange, writeFileScript, attributesScript } from './file-write.js';
export { absent, type AbsentSpec, type AbsentChange } from './absent.js';
export { directory, planDirectory, type DirectorySpec, type DirectoryChange } from './directory.js';
export { packages, planPackages, packagesScript, type PackagesSpec, type PackagesChange } from './packages.js';
export { service, planService, serviceScript, type ServiceSpec, type ServiceChange } from './service.js';
export { sysctl, renderSysctlFile, planSysctlRuntime, sysctlWriteScript, type SysctlSpec, type SysctlChange } from './sysctl.js';
export { kernelModules, type KernelModulesSpec, type KernelModulesChange } from './kernel-modules.js';
export { editFileTask, type EditSpec } from './edit-file.js';
export { lineInFile, type LineInFileSpec } from './line-in-file.js';
export { lineInFileContent, type LineEdit } from './line-in-file-content.js';
export { blockInFile, type BlockInFileSpec } from './block-in-file.js';
export { blockInFileContent, blockMarkers, DEFAULT_BLOCK_MARKER, type BlockEdit } from './block-in-file-content.js';
export { command, commandTitle, type CommandSpec, type CommandChange } from './command.js';
export { waitFor, type WaitForSpec, type WaitForChange, type WaitReading, type Probe, type ProbeAnswer } from './wait-for.js';
export { renderDiff, countChangedLines } from './render-diff.js';
export { formatMode } from './mode.js';
export { maskSecretText } from './secret-mask.js';
export { requireAbsolute } from './paths.js';
export { OWNED_FILE_HEADER, ownedFileContent } from './owned-file.js';
export { restartIfStale, restartIfStaleScript } from './restart.js';
export { aptRepoTasks, renderAptSource, keyProbeScript, parseKeyProbe, keyInstallScript, type AptRepo } from './apt-repository.js';
export { judgeSigningKey, parseColonKeys, isExpired, type OpenPgpKey, type KeyState, type KeyVerdict } from './apt-signing-key.js';
export { fetch, planFetch, readControllerFile, checkControllerInput, readControllerBytes, readControllerText, writeControllerFile, checkControllerSecretDir, pruneControllerDir, sha256Hex, type FetchSpec, type FetchChange } from './fetch.js';
export { runMust, notThereYet, type MustOptions } from './must.js';
