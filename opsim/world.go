// Package opsim simulates the operators' core business systems: the stand-in
// for every operator in tests, the demo and the benchmarks.
//
// A World is fixed by a seed and a few parameters. It holds a national
// federation, provincial and city federations, mutual-aid operators with
// provincial or city pools, grassroots unions, activities of every category,
// members, group enrolments paid by unions in batches, claims, a double-entry
// ledger that carries every money movement, month-end holdings, budgets,
// collective decisions, audits, key staff and assistance spending.
//
// Every object draws from its own random stream, seeded from the world seed
// and the object's identity, and every event is generated whatever the as-of
// day; the as-of day only decides what is visible and in which state. So the
// world as of a later day is the world as of an earlier day plus new rows and
// changed rows with later updated_at, and any member can be regenerated alone
// (the HTTP server pages through members without holding them).
//
// Defects are planted at a configurable rate, one kind for every compliance
// rule R01–R19 with near misses beside them, and data defects of every kind
// the transform must quarantine. Each is listed in an answer key written
// outside the drop (see Key); the pipeline never reads it.
package opsim

import (
	"fmt"
	"sort"
	"time"

	"huzhu/internal/codes"
	"huzhu/internal/money"
	"huzhu/opsim/record"
)

// Params fix a world.
type Params struct {
	Seed      uint64
	Members   int        // members over all operators
	Years     int        // fiscal years simulated, the last one holding AsOf
	AsOf      record.Day // the day the world is seen from
	Operators int        // how many operators of the catalogue (1–5)
	// DefectRate is the share of members carrying a planted data or claim
	// defect; 0 plants nothing at all (no rule defects either): a clean world.
	DefectRate float64
}

// DefaultParams are the parameters of `huzhu opsim` without flags.
func DefaultParams() Params {
	return Params{Seed: 1, Members: 20000, Years: 2, AsOf: record.DayOf(2025, time.June, 30), Operators: 3, DefectRate: 0.002}
}

// operatorSpec is one entry of the operator catalogue.
type operatorSpec struct {
	short   string // two letters, prefix of the operator's keys
	name    string
	region  string // the pool's region
	pool    string
	level   string // provincial | city
	weight  int    // share of members
	fedName string // the supervising federation of the pool
}

// The catalogue. The first three make the demo world (two provinces); all
// five span four provinces, with both provincial and city pools.
var catalogue = []operatorSpec{
	{"ZJ", "浙江省职工互助保障协会", "330000", "P330000", "provincial", 40, "浙江省总工会"},
	{"GZ", "广州市职工互助保障会", "440100", "C440100", "city", 25, "广州市总工会"},
	{"SZ", "深圳市职工互助保障会", "440300", "C440300", "city", 20, "深圳市总工会"},
	{"SU", "苏州市职工互助保障协会", "320500", "C320500", "city", 10, "苏州市总工会"},
	{"SC", "四川省职工互助保障协会", "510000", "P510000", "provincial", 15, "四川省总工会"},
}

var provinceFederations = map[string]string{"33": "浙江省总工会", "44": "广东省总工会", "32": "江苏省总工会", "51": "四川省总工会"}

// activitySpec is one product of the catalogue (calibration.md).
type activitySpec struct {
	code     string
	name     string
	category string
	contrib  money.Cents // per member per period
	months   int
	cap      money.Cents // benefit cap per member per period
	pClaim   float64     // chance of a claim per member-year
	minAge   int
	maxAge   int
	women    bool
	join     float64 // share of eligible union members who enrol
}

var products = []activitySpec{
	{"ACC", "职工意外伤害互助", "accident", money.Yuan(50), 12, money.Yuan(60000), 0.025, 16, 60, false, 0.85},
	{"INP", "职工住院津贴互助", "inpatient", money.Yuan(60), 12, money.Yuan(7200), 0.11, 16, 60, false, 0.75},
	{"FEM", "女职工特殊疾病互助", "female_special", money.Yuan(50), 24, money.Yuan(6000), 0.0075, 18, 55, true, 0.8},
	{"CI3", "重大疾病互助（三年期）", "critical_illness", money.Yuan(90), 36, money.Yuan(20000), 0.0013, 16, 60, false, 0.5},
	{"RET", "退休職工住院互助", "retiree", money.Yuan(60), 12, money.Yuan(7200), 0.12, 61, 80, false, 0.7},
}

// plantSpec is the activity that exists only to carry planted defects
// (R06: enrolments without a bank account; R13: no approval or filing).
var plantSpec = activitySpec{"OTH", "职工健康关爱互助（试点）", "other", money.Yuan(30), 12, money.Yuan(3000), 0.02, 16, 60, false, 0.6}

const unionSize = 150 // members per grassroots union

// Operator is one simulated operator.
type Operator struct {
	Index      int
	Code       string // USCC
	Short      string
	Name       string
	Pool       string
	Region     string
	Members    int // member count
	Activities []*Activity
	Unions     []Union
	byCode     []*Activity // Activities in code order

	spec      operatorSpec
	districts []string
	fedCode   string
	w         *World
}

// Activity is one activity of an operator.
type Activity struct {
	Index            int
	Code             string
	Name             string
	Spec             activitySpec
	Account          string // bank account number; "" = none (a planted defect)
	Approval, Filing string
}

// Union is a grassroots union that enrols and pays for its members.
type Union struct {
	Code     string
	Name     string
	District string
}

// World is a simulated set of operators as of a day.
type World struct {
	P         Params
	Operators []*Operator
	Start     record.Day // first day of the first fiscal year
	horizon   record.Day // last day any event is generated for
	orgs      []orgRow
}

type orgRow struct {
	code, name, typ, level, parent, region, pool string
	at                                           record.Stamp
}

// NewWorld builds the fixed parts of a world: organisations, operators,
// unions and activities. Members and the books are generated on demand.
func NewWorld(p Params) (*World, error) {
	if p.Members < 1 {
		return nil, fmt.Errorf("opsim: members must be at least 1, got %d", p.Members)
	}
	if p.Years < 1 || p.Years > 20 {
		return nil, fmt.Errorf("opsim: years must be 1–20, got %d", p.Years)
	}
	if p.Operators < 1 || p.Operators > len(catalogue) {
		return nil, fmt.Errorf("opsim: operators must be 1–%d, got %d", len(catalogue), p.Operators)
	}
	if p.DefectRate < 0 || p.DefectRate > 0.5 {
		return nil, fmt.Errorf("opsim: defect rate must be in [0, 0.5], got %g", p.DefectRate)
	}
	y := p.AsOf.Year()
	w := &World{P: p, Start: record.DayOf(y-p.Years+1, time.January, 1), horizon: record.DayOf(y+1, time.December, 31)}
	worldStamp := w.Start.At(8, 0, 0) - 86400*30

	national := mustUSCC("81", "110000", w.body8("national", 0))
	w.orgs = append(w.orgs, orgRow{national, "中华全国总工会", "federation", "national", "", "110000", "N000000", worldStamp})
	provFed := map[string]string{}
	total := 0
	for _, s := range catalogue[:p.Operators] {
		total += s.weight
	}
	assigned := 0
	for i, s := range catalogue[:p.Operators] {
		prov := s.region[:2]
		if provFed[prov] == "" {
			provFed[prov] = mustUSCC("81", prov+"0000", w.body8("province", uint64(i)))
			w.orgs = append(w.orgs, orgRow{provFed[prov], provinceFederations[prov], "federation", "provincial", national, prov + "0000", "P" + prov + "0000", worldStamp})
		}
		fed := provFed[prov]
		if s.level == "city" {
			fed = mustUSCC("81", s.region, w.body8("city", uint64(i)))
			w.orgs = append(w.orgs, orgRow{fed, s.fedName, "federation", "city", provFed[prov], s.region, s.pool, worldStamp})
		}
		n := p.Members * s.weight / total
		if i == p.Operators-1 {
			n = p.Members - assigned
		}
		assigned += n
		op := &Operator{Index: i, Short: s.short, Name: s.name, Pool: s.pool, Region: s.region, Members: n, spec: s, fedCode: fed, w: w}
		op.Code = mustUSCC("51", s.region, w.body8("operator", uint64(i)))
		w.orgs = append(w.orgs, orgRow{op.Code, s.name, "mutual_aid_org", s.level, fed, s.region, s.pool, worldStamp})
		for _, r := range codes.RegionsUnder(regionPrefix(s.region)) {
			if r[4:] != "00" {
				op.districts = append(op.districts, r)
			}
		}
		if len(op.districts) == 0 {
			return nil, fmt.Errorf("opsim: no districts under region %s", s.region)
		}
		op.buildActivities()
		op.byCode = append([]*Activity(nil), op.Activities...)
		sort.Slice(op.byCode, func(i, j int) bool { return op.byCode[i].Code < op.byCode[j].Code })
		op.buildUnions()
		w.Operators = append(w.Operators, op)
	}
	sort.SliceStable(w.orgs, func(a, b int) bool { return w.orgs[a].code < w.orgs[b].code })
	return w, nil
}

func regionPrefix(r string) string {
	for len(r) > 2 && r[len(r)-2:] == "00" {
		r = r[:len(r)-2]
	}
	return r
}

func (w *World) planting() bool { return w.P.DefectRate > 0 }

// body8 makes a deterministic 8-digit organisation code body.
func (w *World) body8(kind string, i uint64) string {
	r := newRng(w.P.Seed, strHash(kind), i)
	return fmt.Sprintf("%08d", r.intn(100000000))
}

func mustUSCC(prefix, region, body string) string {
	c, err := codes.MakeUSCC(prefix, region, body)
	if err != nil {
		panic(fmt.Sprintf("opsim: MakeUSCC(%s, %s, %s): %v", prefix, region, body, err))
	}
	return c
}

func (op *Operator) buildActivities() {
	w := op.w
	specs := append([]activitySpec(nil), products...)
	if w.planting() {
		specs = append(specs, plantSpec)
	}
	year := w.Start.Year() - 3
	for i, s := range specs {
		a := &Activity{Index: i, Code: s.code, Name: s.name, Spec: s}
		r := newRng(w.P.Seed, 11, uint64(op.Index), uint64(i))
		a.Account = fmt.Sprintf("%s-%s-%04d", op.Short, s.code, 1000+r.intn(9000))
		a.Approval = fmt.Sprintf("%s工发〔%d〕%d号", op.spec.fedName[:3], year, 10+i)
		a.Filing = fmt.Sprintf("%s-%d-%02d", op.Short, year, 5+i)
		if s.code == plantSpec.code {
			a.Account, a.Approval, a.Filing = "", "", "" // R06, R13
		}
		op.Activities = append(op.Activities, a)
	}
}

var unionKinds = []string{"电力公司", "纺织厂", "第一中学", "人民医院", "机械厂", "物流公司", "软件有限公司", "建筑公司", "银行支行", "食品厂", "街道办事处", "公交集团", "自来水公司", "百货商场", "汽车零部件厂"}

func (op *Operator) buildUnions() {
	n := (op.Members + unionSize - 1) / unionSize
	op.Unions = make([]Union, n)
	for j := range op.Unions {
		r := newRng(op.w.P.Seed, 12, uint64(op.Index), uint64(j))
		d := pick(&r, op.districts)
		dname, _ := codes.Region(d)
		name := fmt.Sprintf("%s%s第%d分会工会委员会", dname, unionKinds[j%len(unionKinds)], j/len(unionKinds)+1)
		if r.chance(0.02) {
			name += "🌟" // some systems carry emoji in names
		}
		op.Unions[j] = Union{Code: mustUSCC("81", d, fmt.Sprintf("%08d", r.intn(100000000))), Name: name, District: d}
	}
}

// Years returns the fiscal years of the world, oldest first.
func (w *World) Years() []int {
	ys := make([]int, 0, w.P.Years)
	for y := w.Start.Year(); y <= w.P.AsOf.Year(); y++ {
		ys = append(ys, y)
	}
	return ys
}

// Batch returns the batch name of the world's drop: the as-of day.
func (w *World) Batch() string { return w.P.AsOf.String() }

// ExportStamp is the time of the nightly export that shows the world as of
// its day: 21:00 Beijing time on the as-of day.
func (w *World) ExportStamp() record.Stamp { return w.P.AsOf.At(21, 0, 0) }
