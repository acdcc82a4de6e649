package login

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gjjid/gjjid/broker/store"
	"github.com/gjjid/gjjid/broker/web"
)

// The unit choice of a person who acts for several units.

func (l *Login) showUnits(c echo.Context) error {
	ar, cl, lang := l.request(c, c.QueryParam("id"))
	if ar == nil {
		return nil
	}
	s := l.session(c)
	if s == nil {
		return nil
	}
	return l.renderUnits(c, http.StatusOK, ar, cl, lang, s, "")
}

func (l *Login) renderUnits(c echo.Context, status int, ar *store.AuthRequest, cl *store.Client, lang string, s *store.Session, msg string) error {
	units, err := l.o.Resolver.UnitsOf(c.Request().Context(), s.Auth.Subject)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	return l.o.Pages.Render(c.Response(), status, "unit", struct {
		page
		Units []Unit
		Error string
	}{l.base(c, ar, cl, lang), units, msg})
}

// chooseUnit records the unit in the session (remembered for this browser
// session) and finishes.
func (l *Login) chooseUnit(c echo.Context) error {
	r := c.Request()
	ar, cl, lang := l.form(c)
	if ar == nil {
		return nil
	}
	s := l.session(c)
	if s == nil {
		return nil
	}
	units, err := l.o.Resolver.UnitsOf(r.Context(), s.Auth.Subject)
	if err != nil {
		l.fail(c, err, "")
		return nil
	}
	want := r.PostFormValue("unit")
	for _, u := range units {
		if u.ID == want {
			s.Auth.UnitID = u.ID
			if err := l.o.Store.CreateSession(r.Context(), s); err != nil {
				l.fail(c, err, "")
				return nil
			}
			return l.finish(c, ar, s)
		}
	}
	return l.renderUnits(c, http.StatusBadRequest, ar, cl, lang, s, web.Text(lang, "err_no_unit"))
}
