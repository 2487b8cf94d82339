import { runStandalone } from '@zhner/service';
import { configSpec, startTagger } from './index';

void runStandalone('tagger', configSpec, startTagger, { defaultPort: 8081 });
