// Every message file of one language, in one chunk: the app loads the
// chosen language's (i18n.ts) and no other. A capability's file joins here.
import main from './en.json'
import exams from './exams.en.json'
import workbench from './workbench.en.json'
import planning from './planning.en.json'
import mentoring from './mentoring.en.json'
import curriculum from './curriculum.en.json'
import research from './research.en.json'
import resources from './resources.en.json'
import governance from './governance.en.json'

export default [main, exams, workbench, planning, mentoring, curriculum, research, resources, governance] as Record<string, unknown>[]
