// Package demo holds the demo data `gjjid dev` seeds and the broker's tests
// use: one set of clients, units and agents, so the README, the dev banner
// and the tests always speak of the same ones.
package demo

// Clients.
const (
	ClientID       = "demo"
	ClientSecret   = "demo-secret"
	NativeClientID = "demo-native"
	ServiceID      = "demo-service"
	ServiceSecret  = "demo-service-secret"
	AdminID        = "demo-admin"
	AdminSecret    = "demo-admin-secret"
	// AppClientID is the fund's app: a public client whose users confirm
	// QR logins.
	AppClientID = "demo-app"
)

// Units and their agents (valid credit codes and ID numbers, not real).
const (
	UnitID         = "91510100MA61ABCD1T"
	UnitName       = "成都示例科技有限公司"
	AgentName      = "张三"
	AgentIDNumber  = "510107199003071236"
	AgentMobile    = "13800138000"
	AgentPassword  = "246810"
	Unit2ID        = "91510100MA62XY3N0W"
	Unit2Name      = "成都第二示例有限公司"
	Agent2Name     = "李四"
	Agent2IDNumber = "440106198511204569"
	Agent2Mobile   = "13900139000"
	Agent2Password = "135790"
)
