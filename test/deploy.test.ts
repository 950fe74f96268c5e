import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const unitsDir = join(root, 'deploy', 'systemd');
const hasSystemd = spawnSync('systemd-analyze', ['--version']).status === 0;
const work = mkdtempSync(join(tmpdir(), 'vf-deploy-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function verify(path: string): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe.skipIf(!hasSystemd)('deploy/systemd units', () => {
  const units = readdirSync(unitsDir).filter((f) => f.endsWith('.service'));

  it('has the coordinator, a worker template and the NATS server', () => {
    expect(units.sort()).toEqual([
      'virnyflow-coordinator.service',
      'virnyflow-nats.service',
      'virnyflow-worker@.service',
    ]);
  });

  for (const unit of units) {
    it(`systemd-analyze verify accepts ${unit}`, () => {
      // A template is verified as one of its instances.
      const name = unit.replace('@.service', '@1.service');
      const path = join(work, name);
      copyFileSync(join(unitsDir, unit), path);
      const r = verify(path);
      expect(r.output).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('would catch a broken unit (the check is not vacuous)', () => {
    const path = join(work, 'broken.service');
    writeFileSync(path, '[Service]\nExecStart=/nonexistent/virnyflow\nNoSuchKey=1\n');
    const r = verify(path);
    expect(r.status).not.toBe(0);
  });

  it('the coordinator and worker units start the documented commands', () => {
    expect(readFileSync(join(unitsDir, 'virnyflow-coordinator.service'), 'utf8')).toContain(
      'pnpm start:coordinator --',
    );
    expect(readFileSync(join(unitsDir, 'virnyflow-worker@.service'), 'utf8')).toContain(
      'pnpm start:worker --',
    );
  });
});

describe('deploy/slurm scripts', () => {
  for (const script of ['virnyflow.sbatch', 'worker.sh']) {
    it(`${script} is valid bash`, () => {
      const r = spawnSync('bash', ['-n', join(root, 'deploy', 'slurm', script)], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }

  it('starts one worker per node with threads = allocated CPUs', () => {
    const worker = readFileSync(join(root, 'deploy', 'slurm', 'worker.sh'), 'utf8');
    expect(worker).toMatch(/--threads "\$THREADS"/);
    expect(worker).toContain('SLURM_CPUS_ON_NODE');
    expect(readFileSync(join(root, 'deploy', 'slurm', 'virnyflow.sbatch'), 'utf8')).toContain(
      '--ntasks-per-node=1',
    );
  });
});
