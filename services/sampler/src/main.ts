import { runStandalone } from '@zhner/service';
import { configSpec, startSampler } from './index';

void runStandalone('sampler', configSpec, startSampler, { defaultPort: 8082 });
