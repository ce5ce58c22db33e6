"""«Доступ»: logins and activation codes of the school's people (staff, students, guardians), the families'
choice of paper or electronic information, a person's login history, the school's security settings.

Accounts knows logins; which person of a school a login belongs to, and who may hand one out, is the school's."""
