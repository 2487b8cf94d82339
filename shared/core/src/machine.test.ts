import { describeMachine, machineInfo, parseCpuInfo } from './machine';

const EPYC = 'processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse4_2 avx f16c avx2 fma bmi2\n';
const XEON = 'model name\t: Intel(R) Xeon(R) Processor\nflags\t: avx2 avx512f avx512_vnni amx_tile amx_int8\n';

describe('machine info', () => {
  it('reads the CPU model and the ISA flags ONNX Runtime dispatches on', () => {
    expect(parseCpuInfo(EPYC)).toEqual({ cpu: 'AMD EPYC 7B13', isa: { avx2: true, avx512: false, vnni: false, amx: false } });
    expect(parseCpuInfo(XEON)).toEqual({ cpu: 'Intel(R) Xeon(R) Processor', isa: { avx2: true, avx512: true, vnni: true, amx: true } });
    expect(parseCpuInfo('')).toEqual({ cpu: 'unknown', isa: { avx2: false, avx512: false, vnni: false, amx: false } });
  });

  it('describes a machine in one line', () => {
    expect(describeMachine({ ...parseCpuInfo(EPYC), cores: 2, memoryGiB: 24, platform: 'linux x64', node: '20' })).toBe('AMD EPYC 7B13, 2 cores, AVX2 no AVX-512 no VNNI, 24 GiB');
    const here = machineInfo();
    expect(here.cores).toBeGreaterThan(0);
    expect(typeof here.cpu).toBe('string');
  });
});
