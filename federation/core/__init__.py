"""The platform: what every app of the workbench stands on. It names no domain model and no
domain app (pyproject.toml [tool.importlinter] holds that, and the layers below).

An app may import these modules (its public face); the others are the core's own:

- `registry`      the one way an app plugs in (reports, summary rows, charts, rosters, work
                  lists, demo parts, purges, period records, binder sections, manual pages)
- `models`        Town, Village, StaffScope, ScopedModel; the audit logs; PeriodSubmission
- `scoping`       Scope, scope_for, in_scope, counted_in: who sees which village
- `identity`      ID numbers and phones: parse, check, mask; normalize text
- `pseudonyms`    a town's keyed pseudonyms of people and households; age bands
- `fields`        IdNumberField, PhoneField, SecretField, YmdText; `files`: ProtectedFileField
- `roles`         the roles and their permissions (crud, grant_permissions)
- `dates`         the town's submission periods as dates (period_of, period_label)
- `history`       save_with_history, delete_with_history, status_step: how services write
- `periods`       the lock of approved periods (PeriodRecords, PeriodLocked, unlocked)
- `submissions`   submit, approve, return, reopen a village's period
- `exporting`, `streams`   masking in exports, safe CSV/XLSX writers
- `disclosure`    a file of people leaves on purpose: the purpose asked, its mark, its password
- `reporting`     @report, DateRange, ReportScope, Table, village_table (a per-village table
                  declared as columns), summary rows and figures
- `summary`       the annual summary; `approved`: figures kept when a period is approved
- `importing`     RosterResource, Column, the widgets (the package's __init__ only)
- `second_factor` who must type a code from a phone's authenticator app (SECOND_FACTOR), her
                  device, and a superuser's reset of it (second_factor_reset)
- `glass`         break the glass: a file opened for a few hours on request (registry.add_glass)
- `charts`, `binder`, `dashboard`, `filters`, `help`, `backups`, `pdf_font`, `demo`
- `admin.base`    ScopedModelAdmin and the inlines and mixins every app's admin uses

The core's own: the rest of `admin/` (its parts, and the submissions' and logs' admins),
the modules of `importing/`, `views`, `sites`, `search`, `downloads`, `middleware`,
`django_words` (a contract refuses an app that imports one).

The layers, lowest first: leaves (registry, identity, pseudonyms, dates, files, roles, …) → fields →
models → scoping, history → exporting → disclosure → periods, streams, downloads, second_factor, glass →
reporting, importing → approved → binder, dashboard, filters, submissions, summary → views,
help, middleware → admin → search → sites. docs/architecture.md draws them.
"""
