package codes_test

import (
	"fmt"
	"time"

	"huzhu/internal/codes"
)

func ExampleMakeUSCC() {
	s, err := codes.MakeUSCC("51", "330100", "31020017")
	fmt.Println(s, err, codes.ValidUSCC(s))
	// Output: 51330100310200171N <nil> true
}

func ExampleIDFacts() {
	region, birth, male, err := codes.IDFacts(codes.NormalizeCode(" 34052419800101001x"))
	fmt.Println(region, birth.Format(time.DateOnly), male, err)
	// Output: 340524 1980-01-01 true <nil>
}

func ExampleRegionsUnder() {
	for _, c := range codes.RegionsUnder("3308") {
		name, _ := codes.Region(c)
		fmt.Println(c, name)
	}
	// Output:
	// 330802 柯城区
	// 330803 衢江区
	// 330822 常山县
	// 330824 开化县
	// 330825 龙游县
	// 330881 江山市
}
