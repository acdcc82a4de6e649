package password

import "github.com/gjjid/gjjid/connectors/connectorstest"

// recLogger records every log call as one line of text.
type recLogger = connectorstest.Logs
