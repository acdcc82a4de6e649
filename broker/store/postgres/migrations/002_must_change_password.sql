-- A password reset by staff that the person must replace at the next
-- sign-in (store.Person.MustChangePassword).
alter table persons add column must_change_password boolean not null default false;
