import { runStandalone } from '@zhner/service';
import { configSpec, startOrchestrator } from './index';

void runStandalone('trainer-orchestrator', configSpec, startOrchestrator, { defaultPort: 8083 });
