// The machine a benchmark ran on, printed in every benchmark's JSON: figures from one CPU do not
// transfer to another (INT8 speed-ups in particular depend on AVX-512 VNNI / AMX), so a figure
// without its machine cannot be checked.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  /** CPU model name as the kernel reports it. */
  cpu: string;
  /** Logical CPUs available to this process. */
  cores: number;
  /** Instruction-set extensions that ONNX Runtime's CPU kernels dispatch on. */
  isa: { avx2: boolean; avx512: boolean; vnni: boolean; amx: boolean };
  memoryGiB: number;
  platform: string;
  node: string;
}

const FLAG = /^flags\s*:\s*(.*)$/m;
const MODEL = /^model name\s*:\s*(.*)$/m;

/** Parses /proc/cpuinfo text (exported for tests); other fields come from `os`. */
export function parseCpuInfo(cpuinfo: string): Pick<MachineInfo, 'cpu' | 'isa'> {
  const flags = new Set((FLAG.exec(cpuinfo)?.[1] ?? '').split(/\s+/).filter(Boolean));
  return {
    cpu: MODEL.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    isa: {
      avx2: flags.has('avx2'),
      avx512: flags.has('avx512f'),
      vnni: flags.has('avx512_vnni') || flags.has('avx_vnni'),
      amx: flags.has('amx_int8') || flags.has('amx_tile'),
    },
  };
}

export function machineInfo(): MachineInfo {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    /* not Linux: model from os, flags unknown */
  }
  const parsed = parseCpuInfo(cpuinfo);
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return {
    cpu: parsed.cpu !== 'unknown' ? parsed.cpu : (os.cpus()[0]?.model ?? 'unknown'),
    cores,
    isa: parsed.isa,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.arch()}`,
    node: process.versions.node,
  };
}

/** One line for humans: `Intel(R) Xeon(R) Processor, 2 cores, AVX2 AVX-512 VNNI AMX, 24 GiB`. */
export function describeMachine(m: MachineInfo = machineInfo()): string {
  const isa = [m.isa.avx2 && 'AVX2', m.isa.avx512 ? 'AVX-512' : 'no AVX-512', m.isa.vnni ? 'VNNI' : 'no VNNI', m.isa.amx && 'AMX'].filter(Boolean).join(' ');
  return `${m.cpu}, ${m.cores} cores, ${isa}, ${m.memoryGiB} GiB`;
}
