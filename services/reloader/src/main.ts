import { runStandalone } from '@zhner/service';
import { configSpec, startReloader } from './index';

void runStandalone('reloader', configSpec, startReloader, { defaultPort: 8084 });
