package examgen

import (
	"math/rand/v2"
	"strconv"
)

// Word lists: data, kept apart from the generator so the realism of the
// output can be checked without reading code.

// surnames with rough weights from the national frequency tables.
var surnames = []struct {
	name   string
	weight int
}{
	{"王", 712}, {"李", 700}, {"张", 674}, {"刘", 510}, {"陈", 461}, {"杨", 322}, {"黄", 245},
	{"赵", 219}, {"吴", 200}, {"周", 195}, {"徐", 145}, {"孙", 138}, {"马", 129}, {"朱", 128},
	{"胡", 116}, {"郭", 113}, {"何", 106}, {"高", 100}, {"林", 60}, {"罗", 95}, {"郑", 85},
	{"梁", 84}, {"谢", 76}, {"宋", 73}, {"唐", 72}, {"许", 66}, {"韩", 65}, {"冯", 63},
	{"邓", 62}, {"曹", 61}, {"彭", 58}, {"曾", 40}, {"肖", 55}, {"田", 53}, {"董", 52},
	{"袁", 50}, {"潘", 49}, {"于", 48}, {"蒋", 47}, {"蔡", 46}, {"余", 45}, {"杜", 44},
	{"叶", 43}, {"程", 42}, {"苏", 41}, {"魏", 40}, {"吕", 39}, {"丁", 38}, {"任", 37},
	{"沈", 36}, {"姚", 35}, {"卢", 34}, {"姜", 33}, {"崔", 32}, {"钟", 31}, {"谭", 30},
	{"陆", 29}, {"汪", 28}, {"范", 27}, {"金", 26}, {"石", 25}, {"廖", 24}, {"贾", 23},
	{"夏", 22}, {"付", 21}, {"方", 20}, {"白", 20}, {"邹", 19}, {"孟", 19}, {"秦", 18},
}

// givenChars are characters common in the given names of children born
// 2008–2020.
var givenChars = []string{
	"子", "梓", "涵", "轩", "浩", "宇", "欣", "怡", "思", "雨", "佳", "嘉", "俊", "博", "一",
	"诺", "睿", "泽", "晨", "萱", "梦", "可", "雅", "婷", "文", "昊", "然", "宸", "铭", "豪",
	"瑞", "琪", "彤", "悦", "静", "航", "凯", "杰", "鑫", "艺", "若", "妍", "心", "家", "明",
	"天", "乐", "锦", "奕", "依", "晗", "烨", "哲", "煜", "语", "安", "书", "沐", "清", "晓",
}

var surnameTotal = func() int {
	t := 0
	for _, s := range surnames {
		t += s.weight
	}
	return t
}()

func chineseName(r *rand.Rand) string {
	x := r.IntN(surnameTotal)
	name := surnames[len(surnames)-1].name
	for _, s := range surnames {
		if x < s.weight {
			name = s.name
			break
		}
		x -= s.weight
	}
	name += givenChars[r.IntN(len(givenChars))]
	if r.IntN(10) < 7 {
		name += givenChars[r.IntN(len(givenChars))]
	}
	return name
}

// towns of Huaiyuan county, where the demo county is.
var towns = []string{
	"城关", "榴城", "龙亢", "河溜", "常坟", "魏庄", "找郢", "白莲坡", "包集", "徐圩", "褚集",
	"双桥集", "兰桥", "淝河", "古城", "荆山", "万福", "陈集", "唐集", "马城", "孝仪", "涂山",
}

var cn = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// schoolNames names n schools of a stage: the county's own schools first
// (the leads of the first groups), then town schools, then numbered ones.
func schoolNames(n int, stage string, r *rand.Rand) []string {
	county := "怀远县"
	var list []string
	switch stage {
	case "小学":
		list = append(list, county+"实验小学", county+"城关实验小学", county+"第二实验小学", county+"城关第二小学")
		for _, t := range towns[2:] {
			list = append(list, t+"镇中心小学")
		}
	case "高中":
		list = append(list, county+"第一中学", county+"第二中学", county+"第三中学", county+"第四中学",
			county+"包集中学", county+"禹王中学", county+"火星中学", county+"实验高级中学")
	default:
		list = append(list, county+"实验中学", county+"榴城中学", county+"第一初级中学", county+"第二初级中学")
		for _, t := range towns[2:] {
			list = append(list, t+"镇初级中学")
		}
	}
	r.Shuffle(len(list)-4, func(i, j int) { list[4+i], list[4+j] = list[4+j], list[4+i] })
	out := make([]string, n)
	for i := range out {
		switch {
		case i < len(list):
			out[i] = list[i]
		default:
			k := i - len(list)
			t := towns[k%len(towns)]
			seq := k/len(towns) + 2
			kind := map[string]string{"小学": "小学", "高中": "中学"}[stage]
			if kind == "" {
				kind = "初级中学"
			}
			if seq <= 10 {
				out[i] = t + "镇第" + cn[seq-1] + kind
			} else {
				out[i] = t + "镇第" + strconv.Itoa(seq) + kind
			}
		}
	}
	return out
}
