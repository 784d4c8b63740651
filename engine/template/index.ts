/**
 * Jinja2 in variables, evaluated as Ansible 2.14 does: lazily, at use, with Ansible's precedence
 * and magic variables, Python's semantics and the filters Ansible adds.
 */
export { TemplateEngine, isPossiblyTemplate } from './template-engine.js';
export { RunVars, type RoleLayers, type RunVarsOptions } from './run-vars.js';
export { VarScope, RenderRun, UndefinedVariableError, type SecretRegistry, type VarsLayer } from './var-scope.js';
export { toPlain } from './py-values.js';
