import { runStandalone } from '@zhner/service';
import { configSpec, startStudio } from './index';

void runStandalone('studio', configSpec, startStudio, { defaultPort: 8080 });
