package demo

// This file holds the word lists the generator draws from. They are data, not
// logic, and live apart from gen.go so that a reader can check the realism of
// the demo (names, places, slogans) without reading the generator.

// surnameWeight pairs a surname with its approximate share of the national
// population in hundredths of a percent, so that 王, 李 and 张 dominate a staff
// list the way they do in a real county and rare surnames stay rare.
type surnameWeight struct {
	name   string
	weight int
}

// surnames lists the common Chinese surnames with weights taken from the
// published national frequency tables (rounded); a Huaiyuan roster drawn from
// them looks like a real one.
var surnames = []surnameWeight{
	{"王", 712}, {"李", 700}, {"张", 674}, {"刘", 510}, {"陈", 461},
	{"杨", 322}, {"黄", 245}, {"赵", 219}, {"吴", 200}, {"周", 195},
	{"徐", 145}, {"孙", 138}, {"马", 129}, {"朱", 128}, {"胡", 116},
	{"郭", 113}, {"何", 106}, {"高", 100}, {"林", 60}, {"罗", 95},
	{"郑", 85}, {"梁", 84}, {"谢", 76}, {"宋", 73}, {"唐", 72},
	{"许", 66}, {"韩", 65}, {"冯", 63}, {"邓", 62}, {"曹", 61},
	{"彭", 58}, {"曾", 40}, {"肖", 55}, {"田", 53}, {"董", 52},
	{"袁", 50}, {"潘", 49}, {"于", 48}, {"蒋", 47}, {"蔡", 46},
	{"余", 45}, {"杜", 44}, {"叶", 43}, {"程", 42}, {"苏", 41},
	{"魏", 40}, {"吕", 39}, {"丁", 38}, {"任", 37}, {"沈", 36},
	{"姚", 35}, {"卢", 34}, {"姜", 33}, {"崔", 32}, {"钟", 31},
	{"谭", 30}, {"陆", 29}, {"汪", 28}, {"范", 27}, {"金", 26},
	{"石", 25}, {"廖", 24}, {"贾", 23}, {"夏", 22}, {"付", 21},
	{"方", 20}, {"白", 20}, {"邹", 19}, {"孟", 19}, {"熊", 18},
	{"秦", 18}, {"邱", 17}, {"江", 17}, {"尹", 16}, {"薛", 16},
	{"闫", 15}, {"段", 15}, {"雷", 14}, {"侯", 14}, {"龙", 13},
	{"史", 13}, {"陶", 12}, {"黎", 12}, {"贺", 11}, {"顾", 11},
	{"毛", 10}, {"郝", 10}, {"龚", 10}, {"邵", 10}, {"万", 10},
	{"钱", 9}, {"严", 9}, {"武", 9}, {"戴", 9}, {"孔", 8},
	{"汤", 8}, {"常", 8},
}

// maleGivenChars and femaleGivenChars are characters commonly used in given
// names of people born 1960–2004 (the working-age teachers of 2026); mixing
// them at random gives names that read as ordinary, never as famous people.
var maleGivenChars = []string{
	"伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明",
	"刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宇", "浩",
	"凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳",
	"建", "国", "志", "文", "海", "峰", "成", "亮", "东", "兵",
	"春", "晨", "松", "坤", "庆", "博", "翔", "振", "毅", "彬",
	"锋", "洋", "瑞", "晓", "新", "跃", "进", "德", "永", "胜",
	"山", "清", "祥", "立", "卫", "政", "昊", "然", "睿", "轩",
}

var femaleGivenChars = []string{
	"芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲",
	"婷", "雪", "慧", "莉", "萍", "红", "琳", "颖", "倩", "洁",
	"梅", "琴", "晶", "丹", "蕾", "璐", "薇", "欣", "悦", "佳",
	"雯", "瑶", "秀", "英", "兰", "凤", "桂", "云", "玉", "华",
	"月", "琪", "梦", "雨", "怡", "媛", "蓉", "露", "娇", "思",
	"晓", "春", "宁", "甜", "莹", "楠", "文", "洋", "梓", "涵",
}

// townshipNames are Huaiyuan's towns and townships in the order codes.md lists
// them; the order fixes the generated township codes, so keep appending, never
// reorder.
var townshipNames = []string{
	"城关镇", "榴城镇", "龙亢镇", "河溜镇", "常坟镇", "魏庄镇",
	"马头镇", "找郢乡", "双桥集镇", "淝河镇", "万福镇", "古城镇",
	"兰桥镇", "褚集镇", "包集镇", "荆山镇", "白莲坡镇", "徐圩乡",
	"陈集镇", "唐集镇", "孝仪镇",
}

// villageHeads and villageTails combine into northern-Anhui village names
// (王圩, 李郢, 大湖, 新集 …); village schools are named after their village, and
// drawing the village per seed makes two demo counties look different.
var villageHeads = []string{
	"王", "李", "张", "刘", "陈", "杨", "胡", "孙", "周", "吴",
	"徐", "朱", "高", "马", "郭", "何", "梁", "宋", "韩", "唐",
	"冯", "曹", "袁", "许", "彭", "吕", "蒋", "蔡", "丁", "魏",
	"薛", "余", "潘", "杜", "戴", "夏", "汪", "田", "任", "姜",
	"方", "石", "姚", "邹", "金", "孔", "毛", "邱", "侯", "孟",
	"大", "小", "新", "前", "后", "东", "西", "南", "北", "双",
}

var villageTails = []string{
	"庄", "圩", "郢", "集", "湖", "岗", "湾", "营", "店", "楼",
	"桥", "寨", "台", "沟", "园", "洼", "塘", "坝", "圩子", "家湖",
}

// groupGoals, groupPhilosophies and groupMottos are the kind of 办学目标,
// 办学理念 and 校训 a county group writes into its charter; each group gets a
// different one so that the culture page of the demo does not repeat itself.
var groupGoals = []string{
	"办人民满意的优质均衡教育，让每一所成员校都成为家门口的好学校",
	"以强带弱、共建共享，实现集团内学校管理、教学、质量同步提升",
	"建设城乡一体、优质均衡的现代化学校共同体",
	"三年内缩小成员校与核心校的教学质量差距，打造县域集团化办学示范",
	"管理互通、师资互派、教研互动、资源共享、质量共进",
	"让乡村孩子在家门口享受优质教育",
	"建成理念先进、特色鲜明、群众满意的品牌教育集团",
	"整体提升集团办学水平，培育一批新的优质学校",
	"保教并重，办普惠优质、安全温暖的幼儿园",
	"九年一贯、学段衔接，培养全面发展的时代新人",
}

var groupPhilosophies = []string{
	"为每一个孩子的终身发展奠基",
	"和而不同，美美与共",
	"让每个生命都精彩绽放",
	"共生共长，各美其美",
	"以文化人，以质立校",
	"尊重差异，成就每一个",
	"爱与责任同行",
	"同心同行，共享共进",
	"让学习真实发生",
	"面向全体，全面发展，主动发展",
}

var groupMottos = []string{
	"求真 向善 尚美",
	"厚德 博学 笃行 致远",
	"勤奋 守纪 求实 创新",
	"明德 励志 博学 健体",
	"诚朴 勤勉 自强 至善",
	"学做真人",
	"乐学 善思 健体 尚美",
	"明理 笃学 尚美 健行",
	"自信 自立 自强",
	"向上 向善 向美",
}

// kindergartenPhilosophies replace the school slogans for a kindergarten group,
// whose charter speaks of play and care rather than study.
var kindergartenPhilosophies = []string{
	"以游戏为基本活动，让儿童快乐健康成长",
	"尊重儿童，顺应天性，快乐成长",
	"一切为了孩子，为了孩子的一切",
}

// mobilePrefixes are 3-digit prefixes that the three carriers actually issue,
// so a generated phone number is plausible and not merely regex-valid.
var mobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
	"150", "151", "152", "153", "155", "156", "157", "158", "159",
	"166", "173", "175", "176", "177", "178",
	"180", "181", "182", "183", "185", "186", "187", "188", "189",
	"191", "198", "199",
}

// subjectWeight pairs a subject with how many teachers of it a school of one
// stage roughly has per hundred, following the national curriculum hours
// (语文 and 数学 dominate primary, junior spreads over more subjects).
type subjectWeight struct {
	name   string
	weight int
}

var primarySubjects = []subjectWeight{
	{"语文", 30}, {"数学", 25}, {"英语", 9}, {"道德与法治", 4},
	{"科学", 6}, {"信息科技", 3}, {"体育与健康", 8}, {"音乐", 5},
	{"美术", 5}, {"劳动", 2}, {"综合实践活动", 3},
}

var juniorSubjects = []subjectWeight{
	{"语文", 15}, {"数学", 15}, {"英语", 14}, {"道德与法治", 7},
	{"历史", 6}, {"地理", 5}, {"物理", 8}, {"化学", 5}, {"生物", 5},
	{"信息科技", 3}, {"体育与健康", 8}, {"音乐", 3}, {"美术", 3},
	{"劳动", 1}, {"综合实践活动", 2},
}

// seniorSubjects keeps to the subject names the platform's dictionary seeds
// (see codes.md); a senior school has no 劳动 or 科学 teachers of its own.
var seniorSubjects = []subjectWeight{
	{"语文", 13}, {"数学", 13}, {"英语", 13}, {"道德与法治", 7},
	{"历史", 7}, {"地理", 7}, {"物理", 10}, {"化学", 9}, {"生物", 9},
	{"信息科技", 3}, {"体育与健康", 6}, {"音乐", 2}, {"美术", 2},
}

// preschoolSubject is the only subject a kindergarten teacher is recorded
// under; codes.md seeds it as the 学前 stage's subject.
const preschoolSubject = "学前教育"
