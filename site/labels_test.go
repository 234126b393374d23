package site

import "testing"

// TestBucketLabels: each dimension reads its buckets in its own words — a
// diagnosis group M is a chapter of ICD-10, not a man.
func TestBucketLabels(t *testing.T) {
	for _, c := range []struct{ dim, bucket, want string }{
		{"gender", "M", "男"},
		{"gender", "F", "女"},
		{"diagnosis_group", "M", "肌肉骨骼系统和结缔组织疾病（M）"},
		{"diagnosis_group", "F", "精神和行为障碍（F）"},
		{"diagnosis_group", "C50", "肿瘤（C50）"},
		{"diagnosis_group", "D30", "肿瘤（D30）"},
		{"diagnosis_group", "D60", "血液及造血器官疾病（D60）"},
		{"diagnosis_group", "H66", "耳和乳突疾病（H66）"},
		{"diagnosis_group", "other", "其他"},
		{"hospital_level", "tertiary", "三级医院"},
		{"hospital_level", "unknown", "未知"},
		{"age_band", "<30", "30岁以下"},
		{"age_band", "30-39", "30–39岁"},
		{"age_band", "60+", "60岁及以上"},
		{"month", "2025-01", "2025年1月"},
	} {
		if got := bucketLabel(c.dim, c.bucket); got != c.want {
			t.Errorf("bucketLabel(%s, %s) = %q, want %q", c.dim, c.bucket, got, c.want)
		}
	}
}

// TestBreakdownOrder: an activity's breakdown lists an age band "<30"
// before "30-39" and "other" or "unknown" last of its dimension.
func TestBreakdownOrder(t *testing.T) {
	dir, d := built(t)
	checked := 0
	for _, a := range d.Activities {
		path := dir + "/data/activity/" + a.Operator + "-" + a.Code + "/breakdown.csv"
		rows := readCSVIfAny(t, path)
		last := map[string]string{}
		for _, r := range rows {
			dim, b := r["dimension"], r["bucket"]
			if prev, ok := last[dim]; ok {
				if prev == "other" || prev == "unknown" {
					t.Errorf("%s: %s %q after %q", path, dim, b, prev)
				}
				if dim == "age_band" && b == "<30" {
					t.Errorf("%s: <30 after %q", path, prev)
				}
				checked++
			}
			last[dim] = b
		}
	}
	if checked == 0 {
		t.Fatal("no breakdown rows to check")
	}
}

// TestAuditOpinion: the scorecard's audit part read back as the opinion,
// and a year whose audit is not yet due is not "no report seen".
func TestAuditOpinion(t *testing.T) {
	part := func(f float64) *float64 { return &f }
	for _, c := range []struct {
		part *float64
		want string
	}{
		{part(25), "无保留意见"},
		{part(15), "保留意见"},
		{part(5), "否定意见或无法表示意见"},
		{part(0), "未见年度审计报告"},
		{nil, "未到期（次年6月30日前完成）"},
	} {
		if got := auditOpinion(c.part); got != c.want {
			t.Errorf("auditOpinion(%v) = %q, want %q", c.part, got, c.want)
		}
	}
}
