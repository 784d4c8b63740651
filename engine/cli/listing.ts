import type { Plan } from '../runner/plan.js';

/** --list-hosts, --list-tasks and --list-tags, in ansible-playbook's layout. */
export function listPlan(plan: Plan, file: string, what: { hosts: boolean; tasks: boolean; tags: boolean }): string[] {
  const out = ['', `playbook: ${file}`];
  for (const planned of plan.plays) {
    const play = planned.play;
    out.push('', `  play #${play.index + 1} (${play.hosts}): ${play.name}\tTAGS: [${play.tags.join(', ')}]`);
    if (what.hosts) {
      out.push(`    pattern: ['${play.hosts}']`, `    hosts (${planned.hosts.length}):`);
      planned.hosts.forEach((h) => out.push(`      ${h}`));
    }
    if (what.tasks) {
      out.push('    tasks:');
      for (const role of planned.roles) {
        role.tasks.forEach((t) => out.push(`      ${role.role.name} : ${t.task.name}\tTAGS: [${[...t.tags].sort().join(', ')}]`));
      }
    }
    if (what.tags) {
      // Every tag, also of tasks the current filter leaves out: this is how users discover them.
      const tags = new Set(planned.roles.flatMap((r) => r.allTasks.flatMap((t) => [...t.tags])));
      out.push(`      TASK TAGS: [${[...tags].sort().join(', ')}]`);
    }
  }
  return out;
}
