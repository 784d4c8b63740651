export { factError } from './fact-error.js';
export { fileFact, parseFileFact, MAX_CONTENT_BYTES, type FileState } from './file.js';
export { pathExistsFact } from './path-exists.js';
export { commandFact } from './command.js';
export { hostnameFact } from './hostname.js';
export { serviceFact, parseServiceFact, type ServiceState } from './service.js';
export {
  packageManager,
  type PackageManager,
  type PackageManagerName,
  type PackageState,
  type PackageRequest,
  type InstallPlan,
} from './package-manager.js';
export { apt } from './apt.js';
export { versionGlobMatches } from './version-glob.js';
export { packagesFact } from './packages.js';
export { sysctlFact, parseSysctlFact, sysctlPath, normalizeSysctlValue } from './sysctl.js';
export {
  kernelModuleFact,
  parseKernelModuleFact,
  normalizeModuleName,
  type KernelModuleState,
  type ModuleSource,
} from './kernel-module.js';
export {
  addressesFact,
  parseAddresses,
  interfaceWithAddress,
  type Ipv4Address,
  type NetInterface,
} from './addresses.js';
