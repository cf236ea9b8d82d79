"""Repeat, from outside and over HTTP, the probes of issue #10 (等保2.0 三级) against a running
server loaded with the demo zone, and print the findings as JSON. Evidence, not a test.

    DATABASE_URL=postgres://…/diaodu_x DIAODU_SESSION_IDLE_MINUTES=1 \\
        .venv/bin/diaodu serve --prepare --host 127.0.0.1 --port 8101 &
    .venv/bin/python bench/probe_security.py --base http://127.0.0.1:8101 [--idle-wait 70]

Each probe is one entry {"probe", "ok", "detail"}; "ok": false is a finding. The probes change
the database they run against (they lock one demo account, reset another's password, rename a
project …): run them on a throwaway database, never on a real deployment. Exit status 1 when
anything was found.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import sys
import time

import requests

PASSWORD = "Diaodu@2026"
HYPERLINK = '=HYPERLINK("http://evil.example/","点此")'


class Probe:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.findings: list[dict] = []

    # -------------------------------------------------------------- plumbing
    def note(self, probe: str, ok: bool, detail) -> None:
        self.findings.append({"probe": probe, "ok": bool(ok), "detail": detail})

    def session(self, username: str, password: str = PASSWORD) -> requests.Session:
        s = requests.Session()
        s.get(self.base + "/login/")
        r = s.post(
            self.base + "/login/",
            data={"username": username, "password": password},
            headers=self._csrf(s),
            allow_redirects=False,
        )
        if r.status_code != 302:
            raise RuntimeError(f"cannot sign in as {username}: {r.status_code}")
        return s

    def _csrf(self, s: requests.Session) -> dict:
        return {"X-CSRFToken": s.cookies.get("csrftoken", ""), "Referer": self.base + "/"}

    def post(self, s, path, data=None, **kw):
        headers = {**self._csrf(s), **kw.pop("headers", {})}
        return s.post(self.base + path, data=data, headers=headers, allow_redirects=False, **kw)

    def api(self, s, method, path, body=None, raw: bytes | None = None, token: str = ""):
        headers = self._csrf(s) if s is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if raw is not None or body is not None:
            headers["Content-Type"] = "application/json"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        client = s or requests
        return client.request(method, self.base + "/api/v1" + path, data=data, headers=headers)

    def login_says(self, username: str, password: str) -> tuple[str, float]:
        s = requests.Session()
        s.get(self.base + "/login/")
        t = time.perf_counter()
        r = s.post(
            self.base + "/login/",
            data={"username": username, "password": password},
            headers=self._csrf(s),
            allow_redirects=False,
        )
        took = time.perf_counter() - t
        m = re.search(r'class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', r.text, re.S)
        return (re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else f"HTTP {r.status_code}"), took

    def person_id(self, s, username: str) -> int:
        rows = self.api(s, "GET", f"/people?q={username}&limit=50").json()["items"]
        return next(p["id"] for p in rows if p["username"] == username)

    def new_token(self, s, days) -> tuple[int, str]:
        """Ask for a token through the profile page; (status, the token shown once or the error)."""
        r = self.post(s, "/me/tokens/", {"name": f"probe {days}", "days": str(days)})
        page = s.get(self.base + "/me/").text
        m = re.search(r'data-testid="new-token"[^>]*>([^<]+)<', page)
        if m:
            return r.status_code, m.group(1).strip()
        err = re.search(r"alert-danger[^>]*>(.*?)</div>", page, re.S)
        return r.status_code, "ERROR:" + (
            re.sub(r"<[^>]+>", "", err.group(1)).strip() if err else "?"
        )

    # -------------------------------------------------------------- the probes
    def admins_on_each_other(self):
        admins = ("sysadmin", "secadmin", "auditor")
        sessions = {a: self.session(a) for a in admins}
        ids = {a: self.person_id(sessions["sysadmin"], a) for a in admins}
        acts = {
            "password": ("/org/people/{}/password/", {"password": "Probe@Pass2026x"}),
            "unlock": ("/org/people/{}/unlock/", {}),
            "toggle": ("/org/people/{}/toggle/", {}),
            "roles": ("/org/people/{}/roles/", {"role": ["1", "2", "3"]}),
        }
        bad, answers = [], {}
        for actor in admins:
            for target in admins:
                for act, (path, data) in acts.items():
                    r = self.post(sessions[actor], path.format(ids[target]), data)
                    answers[r.status_code] = answers.get(r.status_code, 0) + 1
                    if r.status_code != 403:  # refused outright, never a redirect after a change
                        bad.append(f"{actor}→{target} {act}: {r.status_code}")
        # every administrator still signs in with the demo password, active and with their roles
        for a in admins:
            try:
                s = self.session(a)
                me = self.api(s, "GET", "/me").json()
                if not me.get("roles"):
                    bad.append(f"{a} lost their roles: {me}")
            except RuntimeError as exc:
                bad.append(str(exc))
        self.note(
            "三员 cannot reset/unlock/disable/re-role each other or themselves",
            not bad,
            {"answers": answers, "found": bad},
        )

    def meeting_detail_as_admins(self):
        office = self.session("duchashi")
        mid = self.api(office, "GET", "/supervision/meetings?limit=1").json()["items"][0]["id"]
        seen = {}
        for a in ("sysadmin", "secadmin", "auditor"):
            s = self.session(a)
            seen[a] = (
                s.get(
                    f"{self.base}/supervision/meetings/{mid}/", allow_redirects=False
                ).status_code,
                self.api(s, "GET", f"/supervision/meetings/{mid}").status_code,
            )
        ok = all(p in (403, 404) and q in (403, 404) for p, q in seen.values())
        self.note("meeting detail refused to the three administrators (page, API)", ok, seen)

    def tokens(self):
        out, ok = {}, True
        s = self.session("mishu_gx")
        for days in ("0", "99999999", "-1", "abc", "366"):
            status, got = self.new_token(s, days)
            out[f"days={days}"] = got[:80] if got.startswith("ERROR") else "ISSUED"
            ok &= status < 500 and got.startswith("ERROR")
        status, good = self.new_token(s, "30")
        works = self.api(None, "GET", "/me", token=good).status_code
        out["days=30"] = works
        ok &= works == 200
        # locked: five wrong passwords lock mishu_sm; its token stops working
        s = self.session("mishu_sm")
        _, locked_token = self.new_token(s, "30")
        before = self.api(None, "GET", "/me", token=locked_token).status_code
        for _ in range(6):
            self.login_says("mishu_sm", "wrong-password")
        after = self.api(None, "GET", "/me", token=locked_token).status_code
        out["locked account token"] = [before, after]
        ok &= before == 200 and after == 401
        # must change its password: sysadmin resets mishu_sy's; its token stops working
        s = self.session("mishu_sy")
        _, must_token = self.new_token(s, "30")
        admin = self.session("sysadmin")
        pid = self.person_id(admin, "mishu_sy")
        self.post(admin, f"/org/people/{pid}/password/", {"password": "Reset@Probe2026"})
        after = self.api(None, "GET", "/me", token=must_token).status_code
        out["must-change account token"] = after
        ok &= after == 401
        self.note("token lifetime 1–365 days; dies with a locked or must-change account", ok, out)

    def bad_characters(self):
        s = self.session("mishu_wl")
        pid = self.api(s, "GET", "/projects/?limit=1").json()["items"][0]["id"]
        body = {"project_id": pid, "title": "NUL\x00问题", "type_code": "land"}
        out = {}
        r = self.api(s, "POST", "/supervision/problems", body)
        out["API NUL"] = (r.status_code, r.text[:80])
        raw = json.dumps({"project_id": pid, "title": "@S@问题", "type_code": "land"})
        raw = raw.replace("@S@", "\\ud800").encode()  # JSON's escape of a lone surrogate
        r = self.api(s, "POST", "/supervision/problems", raw=raw)
        out["API lone surrogate"] = (r.status_code, r.text[:80])
        r = self.post(
            s,
            "/supervision/problems/new/",
            {"project": pid, "title": "NUL\x00", "type_code": "land"},
        )
        out["form NUL"] = (r.status_code, "")
        r = self.post(
            s,
            "/supervision/problems/new/",
            data=f"project={pid}&title=%ED%A0%80&type_code=land".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        # not a surrogate once decoded: Django reads invalid UTF-8 as U+FFFD (replaced, stored as
        # such); a lone surrogate cannot arrive through a form, only through JSON's \ud800
        out["form invalid UTF-8 (replaced by U+FFFD)"] = (r.status_code, "")
        r = s.get(self.base + "/projects/?q=%00", allow_redirects=False)
        out["query NUL"] = (r.status_code, "")
        ok = all(400 <= v[0] < 500 for k, v in out.items() if "U+FFFD" not in k) and all(
            v[0] < 500 for v in out.values()
        )
        self.note("NUL and lone surrogates refused with a Chinese 400, nothing stored", ok, out)

    def bounds(self):
        s = self.session("duchashi")
        paths = [
            "/people?offset=-106",
            "/people?limit=-1",
            "/people?limit=100000000",
            "/people?offset=99999999999999999999999",
            "/projects/?limit=abc",
            "/supervision/problems?unit=99999999999999999999",
            "/supervision/problems?responsible=-5",
            "/targets/progress?unit=1&year=99999",
            "/targets/monthly?year=-1",
            "/supervision/meetings?offset=-1",
        ]
        out = {p: self.api(s, "GET", p).status_code for p in paths}
        pages = [
            "/projects/?page=-1",
            "/projects/?page=99999999999999999999",
            "/projects/?page=abc",
            "/supervision/problems/?page=0&unit=abc",
            "/supervision/reports/?period=2026-W99",
            "/targets/monthly/?year=99999&month=-3",
            "/supervision/problems/stats/?unit=99999999999999999999",
            "/procedures/late/?page=99999999999999999999",
        ]
        for p in pages:
            out[p] = s.get(self.base + p, allow_redirects=False).status_code
        auditor = self.session("auditor")
        for p in ("/audit/logins/?page=-5", "/audit/?page=99999999999999999999"):
            out[p] = auditor.get(self.base + p, allow_redirects=False).status_code
        ok = all(v < 500 for v in out.values()) and out["/people?offset=-106"] == 422
        self.note("integer bounds: offsets, limits, pages, ids and years never give a 500", ok, out)

    def versions_and_types(self):
        out = {}
        sec = self.session("mishu_wl")
        office = self.session("duchashi")
        rid = self.api(office, "GET", "/supervision/reports?limit=1").json()["items"][0]["id"]
        r = sec.post(
            f"{self.base}/api/v1/supervision/reports/{rid}/resubmit",
            data={"progress_text": "x", "version": "abc"},
            headers=self._csrf(sec),
        )
        out["report resubmit version=abc"] = r.status_code
        problems = self.api(office, "GET", "/supervision/problems?limit=5").json()["items"]
        pr = problems[0]
        for v in ("abc", None, 0):
            body = {"action": "escalate", "note": "x"}
            if v is not None:
                body["version"] = v
            r = self.api(office, "POST", f"/supervision/problems/{pr['id']}/transition", body)
            out[f"problem move version={v!r}"] = r.status_code
        r = self.api(
            office,
            "POST",
            f"/supervision/problems/{pr['id']}/transition",
            {"action": "escalate", "note": "x", "version": pr["version"] + 7},
        )
        out["problem move stale version"] = [r.status_code, r.json().get("detail", "")[:60]]
        r = office.post(
            f"{self.base}/api/v1/supervision/reports/{rid}/accept",
            data={"version": "1"},
            headers=self._csrf(office),
        )
        out["form sent to a JSON endpoint"] = r.status_code
        mid = self.api(office, "GET", "/supervision/meetings?limit=1").json()["items"][0]["id"]
        r = self.api(office, "POST", f"/supervision/meetings/{mid}/agenda", raw=b'"just a string"')
        out["JSON string body for agenda"] = r.status_code
        r = self.api(office, "POST", f"/supervision/meetings/{mid}/agenda", raw=b"[1,2]")
        out["JSON list body for agenda"] = r.status_code
        r = self.api(office, "POST", "/supervision/meetings", {"unit_id": "abc"})
        out["string for an integer id"] = r.status_code
        ok = (
            out["report resubmit version=abc"] == 422
            and out["problem move version='abc'"] == 422
            and out["problem move version=None"] == 422
            and out["problem move version=0"] == 422
            and out["problem move stale version"][0] == 409
            and out["form sent to a JSON endpoint"] == 400
            and out["JSON string body for agenda"] in (400, 422)
            and out["JSON list body for agenda"] in (400, 422)
            and out["string for an integer id"] == 422
        )
        self.note("version required and an integer; declared JSON types required", ok, out)

    def formulas(self):
        import openpyxl

        out, bad = {}, []
        boss = self.session("wl_zhuren")
        year = time.localtime().tm_year
        month = time.localtime().tm_mon
        me = self.api(boss, "GET", "/me").json()
        unit_id = (me.get("units") or [{}])[0].get("unit_id")
        items = self.api(boss, "GET", f"/targets/monthly?year={year}&unit={unit_id}").json()
        code = items[0]["indicator_code"] if isinstance(items, list) and items else None
        if code and unit_id:
            r = self.api(
                boss,
                "POST",
                "/targets/monthly",
                {
                    "unit_id": unit_id,
                    "year": year,
                    "month": month,
                    "values": [{"indicator": code, "value": None, "note": HYPERLINK}],
                },
            )
            out["note saved"] = r.status_code
        r = boss.get(f"{self.base}/targets/monthly/template.xlsx?year={year}&month={month}")
        out["monthly template"] = self._formulas(openpyxl, r, bad, "monthly template")
        office = self.session("duchashi")
        p = self.api(office, "GET", "/projects/?limit=1").json()["items"][0]
        r = self.api(
            office, "PATCH", f"/projects/{p['id']}", {"version": p["version"], "name": HYPERLINK}
        )
        out["project renamed"] = r.status_code
        sets = self.api(office, "GET", "/targets/rankings").json()
        if isinstance(sets, list) and sets:
            for ss in sets[:3]:
                r = office.get(f"{self.base}/targets/assessment/results/{ss['id']}/report.xlsx")
                out[f"score set {ss['id']}"] = self._formulas(
                    openpyxl, r, bad, f"score set {ss['id']}"
                )
        r = office.get(f"{self.base}/projects/export.xlsx")
        out["ledger export"] = self._formulas(openpyxl, r, bad, "ledger export")
        self.note("no formula gets out of an .xlsx export", not bad, {"checked": out, "found": bad})

    @staticmethod
    def _formulas(openpyxl, r, bad, what):
        if r.status_code != 200 or not r.content.startswith(b"PK"):
            return f"HTTP {r.status_code}"
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        n = 0
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f" or (
                        isinstance(c.value, str) and c.value.startswith("=") and c.data_type != "s"
                    ):
                        bad.append(f"{what} {ws.title}!{c.coordinate}: {str(c.value)[:40]}")
                    n += 1
        return f"{n} cells"

    def docs(self):
        out = {}
        anon = requests.get(self.base + "/api/v1/docs", allow_redirects=False)
        out["docs anonymous"] = anon.status_code
        out["openapi.json anonymous"] = requests.get(
            self.base + "/api/v1/openapi.json", allow_redirects=False
        ).status_code
        s = self.session("mishu_wl")
        r = s.get(self.base + "/api/v1/docs")
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', r.text)
        out["docs signed in"] = r.status_code
        out["external loads"] = external
        spec = s.get(self.base + "/api/v1/openapi.json").json()
        ids = [op.get("operationId") for path in spec["paths"].values() for op in path.values()]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        out["duplicate operation ids"] = dup
        ok = (
            out["docs anonymous"] in (302, 401, 403)
            and out["openapi.json anonymous"] in (302, 401, 403)
            and r.status_code == 200
            and not external
            and not dup
        )
        self.note("API docs local and only for signed-in users; operation ids unique", ok, out)

    def enumeration(self):
        out = {}
        unknown = [self.login_says("no_such_person_x", "wrong-password") for _ in range(6)]
        real = [self.login_says("fagai", "wrong-password-1") for _ in range(3)]
        locked = [self.login_says("mishu_sm", "wrong-password") for _ in range(3)]  # locked earlier
        msgs = {m for m, _ in unknown + real + locked}
        t_unknown = statistics.median(t for _, t in unknown)
        t_real = statistics.median(t for _, t in real + locked)
        out["messages"] = sorted(msgs)
        out["median seconds unknown / real"] = [round(t_unknown, 3), round(t_real, 3)]
        ratio = max(t_unknown, t_real) / max(min(t_unknown, t_real), 1e-6)
        out["ratio"] = round(ratio, 2)
        self.note(
            "no account enumeration: one message, timing within 2×",
            len(msgs) == 1 and ratio <= 2,
            out,
        )

    def scope_writes(self):
        out = {}
        sec = self.session("mishu_wl")
        p = self.api(sec, "GET", "/projects/?limit=1").json()["items"][0]
        office = self.session("duchashi")
        units = self.api(office, "GET", "/units?limit=200").json()["items"]
        other = next(u for u in units if u.get("code") == "QHKFQ-ZB")  # another park
        r = self.api(
            sec,
            "PATCH",
            f"/projects/{p['id']}",
            {"version": p["version"], "responsible_unit_id": other["id"]},
        )
        out["secretary PATCH responsible_unit_id out of scope"] = r.status_code
        wl = next(u for u in units if u.get("code") == "QHKFQ-WL")
        r = self.api(sec, "POST", "/projects/", {"name": "外部探测新项目", "unit_id": wl["id"]})
        out["secretary POST project"] = r.status_code
        created_ok = r.status_code == 422
        if r.status_code == 201:
            created_ok = self.api(sec, "GET", f"/projects/{r.json()['id']}").status_code == 200
            out["created project visible to its creator"] = created_ok
        ok = out["secretary PATCH responsible_unit_id out of scope"] == 422 and created_ok
        self.note("writes stay in scope; a create is visible to its creator or refused", ok, out)

    def headers(self):
        s = self.session("duchashi")
        out = {}
        for path in ("/", "/projects/", "/supervision/problems/", "/targets/cockpit/", "/me/"):
            r = s.get(self.base + path)
            csp = r.headers.get("Content-Security-Policy", "")
            out[path] = {
                "Cache-Control": r.headers.get("Cache-Control", ""),
                "CSP default-src 'self'": "default-src 'self'" in csp,
                "unsafe-inline/eval in script-src": "unsafe"
                in (re.search(r"script-src[^;]*", csp) or [""])[0],
                "inline <script>": bool(  # data blocks (type="application/json") are not script
                    re.search(
                        r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>\s*\S", r.text
                    )
                ),
            }
        ok = all(
            "no-store" in v["Cache-Control"]
            and v["CSP default-src 'self'"]
            and not v["unsafe-inline/eval in script-src"]
            and not v["inline <script>"]
            for v in out.values()
        )
        self.note(
            "Cache-Control: no-store and a strict CSP on authenticated pages, no inline script",
            ok,
            out,
        )

    def idle_timeout(self, wait: int):
        if wait <= 0:
            self.note("idle timeout (skipped: --idle-wait 0)", True, "skipped")
            return
        s = self.session("zhengshou")
        time.sleep(wait)
        r = s.get(self.base + "/", allow_redirects=True)
        said = "会话已超时，请重新登录" in r.text
        auditor = self.session("auditor")
        log = auditor.get(self.base + "/audit/logins/?username=zhengshou").text
        logged = "超时退出" in log
        self.note(
            f"idle timeout (after {wait}s) says why and is logged",
            said and logged,
            {"final url": r.url, "message shown": said, "login log has timeout": logged},
        )

    def run(self, idle_wait: int):
        for step in (
            self.admins_on_each_other,
            self.meeting_detail_as_admins,
            self.tokens,
            self.bad_characters,
            self.bounds,
            self.versions_and_types,
            self.formulas,
            self.docs,
            self.enumeration,
            self.scope_writes,
            self.headers,
        ):
            try:
                step()
            except Exception as exc:  # a probe that cannot run is a finding too
                self.note(step.__name__, False, f"probe failed: {type(exc).__name__}: {exc}")
        try:
            self.idle_timeout(idle_wait)
        except Exception as exc:
            self.note("idle_timeout", False, f"probe failed: {type(exc).__name__}: {exc}")
        return self.findings


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", default="http://127.0.0.1:8000")
    ap.add_argument(
        "--idle-wait", type=int, default=0, help="seconds idle before the timeout probe"
    )
    args = ap.parse_args()
    findings = Probe(args.base).run(args.idle_wait)
    found = [f for f in findings if not f["ok"]]
    print(
        json.dumps(
            {"base": args.base, "findings": len(found), "probes": findings},
            ensure_ascii=False,
            indent=1,
        )
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
