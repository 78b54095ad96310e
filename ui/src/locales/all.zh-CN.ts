// Every message file of one language, in one chunk: the app loads the
// chosen language's (i18n.ts) and no other. A capability's file joins here.
import main from './zh-CN.json'
import exams from './exams.zh-CN.json'
import workbench from './workbench.zh-CN.json'
import planning from './planning.zh-CN.json'
import mentoring from './mentoring.zh-CN.json'
import curriculum from './curriculum.zh-CN.json'
import research from './research.zh-CN.json'
import resources from './resources.zh-CN.json'
import governance from './governance.zh-CN.json'

export default [main, exams, workbench, planning, mentoring, curriculum, research, resources, governance] as Record<string, unknown>[]
