package oauth2_test

import (
	"strings"

	"github.com/gjjid/gjjid/connectors/oauth2/oauth2test"
)

// gdYAML is the Guangdong-style configuration of config/example.yaml,
// pointed at base (a fake) and with the secret placement where.
func gdYAML(base, where string) string {
	method := "GET"
	if where != "query" {
		method = "POST"
	}
	return strings.NewReplacer("BASE", base+oauth2test.Base, "METHOD", method, "WHERE", where).Replace(`authorize_url: BASE/authorize
authorize_params: {service: initService}
scope: all
client_id: gjj-test
client_secret: gd-s3cret
token:
  url: BASE/access_token
  method: METHOD
  secret_in: WHERE
  access_token: access_token
  error: errcode
userinfo:
  url: BASE/tokeninfo
  method: GET
  token_in: query
  token_param: access_token
  error: errcode
claims:
  subject: userobj.uid
  name: userobj.cn
  user_type: userobj.usertype
  id_number: userobj.idcardnumber
  id_type: userobj.idcardtype
  credit_code: userobj.useridcode
  level: user_creditable_level
  mobile: userobj.telephonenumber
  verified: userobj.isreal
user_types: {"1": person, "2": legal_person}
id_types: {"111": resident_id, "414": passport}
levels: {"2": gjj:loa:1, "3": gjj:loa:2, "4": gjj:loa:2, "5": gjj:loa:3}
verified_values: ["1"]
acr: gjj:loa:1
`)
}

var (
	person = oauth2test.Account{UID: "gd-p-1", CN: "张三", UserType: "1", IDCardType: "111", IDCardNumber: "510107199003071236",
		Level: "4", IsReal: "1", Mobile: "13800138000"}
	legal = oauth2test.Account{UID: "gd-l-1", CN: "成都示例科技有限公司", UserType: "2", UserIDCode: "91510100MA61ABCD1T",
		Level: "5", IsReal: "1", LinkPerson: "张三"}
)
