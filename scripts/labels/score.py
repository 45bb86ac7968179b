#!/usr/bin/env python3
"""Score `tfdriftctl replay` against the labelled cases in Tests/Fixtures/labelled (format: FORMAT.md there).

For every case: write a config that points at the case's terraform.tfstate (in a temporary directory), run
`tfdriftctl replay --config <it> --output json --no-progress <the case's records>`, read the drift lines from
stdout and compare them with labels.yaml:

- recall: labelled out-of-band changes (drift_detected, drift_resolved, repeat) whose event id appears in a
  line, as its `event_id` or inside its `event_ids`;
- exact: of those, lines that also carry the right action, drift_type, resource_type, resource_id and
  resolved_by (the label's or one of its `also_accept` alternatives); a `repeat` is exact when its id rides in
  `event_ids` of a line about the labelled resource;
- false alerts: lines whose `event_id` is a record that must stay silent (expected_change, none, or any record
  that is not labelled: read-only or failed calls), or a record that is in no input at all;
- extra lines: a second (third, ...) line for the same labelled record.

Usage:
  scripts/labels/score.py --binary .build/debug/tfdriftctl [--cases Tests/Fixtures/labelled] [CASE ...]
                          [--details] [--json]
Exit status: 0 when every case ran (whatever the scores), 1 when a case could not be run or read.
Needs PyYAML (python3-yaml on Debian, `pip install PyYAML`).
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover - environment problem, not a scoring result
    sys.exit('score.py needs PyYAML: apt-get install python3-yaml, or pip install PyYAML')

CHANGE_OUTCOMES = ('drift_detected', 'drift_resolved', 'repeat')
SILENT_OUTCOMES = ('expected_change', 'none')
OUTCOMES = CHANGE_OUTCOMES + SILENT_OUTCOMES
MATCH_FIELDS = ('drift_type', 'resource_type', 'resource_id', 'resolved_by')


class CaseError(Exception):
    pass


def as_list(value):
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


def load_labels(case_dir):
    path = os.path.join(case_dir, 'labels.yaml')
    try:
        with open(path) as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        raise CaseError(f'{path}: {e}')
    if not isinstance(doc, dict) or not isinstance(doc.get('labels'), list) or not doc.get('records'):
        raise CaseError(f'{path}: expected a mapping with `records`, `state` and a `labels` list')
    seen = set()
    for i, lab in enumerate(doc['labels']):
        where = f'{path}: labels[{i}]'
        if not isinstance(lab, dict) or not lab.get('event_id'):
            raise CaseError(f'{where}: expected a mapping with event_id')
        if lab.get('outcome') not in OUTCOMES:
            raise CaseError(f'{where} ({lab["event_id"]}): outcome must be one of {", ".join(OUTCOMES)}')
        if lab['outcome'] in CHANGE_OUTCOMES:
            for key in ('drift_type', 'resource_type', 'resource_id') if lab['outcome'] != 'repeat' else (
                    'resource_type', 'resource_id'):
                if lab.get(key) in (None, '', []):
                    raise CaseError(f'{where} ({lab["event_id"]}): {lab["outcome"]} needs {key}')
        if lab['outcome'] == 'drift_resolved' and not lab.get('resolved_by'):
            raise CaseError(f'{where} ({lab["event_id"]}): drift_resolved needs resolved_by')
        if lab['event_id'] in seen:
            raise CaseError(f'{where}: event_id {lab["event_id"]} labelled twice')
        seen.add(lab['event_id'])
    return doc


def record_ids(paths):
    """Every eventID in the case's inputs (to tell a silent record from an id that is in no input)."""
    ids = set()
    for p in paths:
        opener = gzip.open if p.endswith('.gz') else open
        try:
            with opener(p, 'rt') as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise CaseError(f'{p}: {e}')
        for r in doc.get('Records', []) if isinstance(doc, dict) else doc:
            if isinstance(r, dict) and r.get('eventID'):
                ids.add(r['eventID'])
    return ids


def run_replay(binary, case_dir, doc, timeout):
    state = os.path.abspath(os.path.join(case_dir, doc.get('state', 'terraform.tfstate')))
    records = [os.path.abspath(os.path.join(case_dir, p)) for p in doc['records']]
    for p in [state] + records:
        if not os.path.exists(p):
            raise CaseError(f'{case_dir}: {p} does not exist')
    with tempfile.TemporaryDirectory(prefix='tfdrift-score-') as tmp:
        config = os.path.join(tmp, 'tfdrift.yaml')
        with open(config, 'w') as f:
            f.write('providers:\n  aws:\n    state:\n      backend: local\n'
                    f'      local_path: {json.dumps(state)}\n')
        cmd = [binary, 'replay', '--config', config, '--output', 'json', '--no-progress'] + records
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=tmp)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise CaseError(f'{case_dir}: could not run {binary}: {e}')
    if proc.returncode not in (0, 2):
        raise CaseError(f'{case_dir}: replay exited {proc.returncode}: {proc.stderr.strip()[-2000:]}')
    lines = []
    for n, text in enumerate(proc.stdout.splitlines(), 1):
        text = text.strip()
        if not text:
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            raise CaseError(f'{case_dir}: stdout line {n} is not JSON: {text[:200]}')
        if isinstance(obj, dict) and 'action' in obj:
            lines.append(obj)
    summary = None
    for text in reversed(proc.stderr.splitlines()):
        try:
            summary = json.loads(text).get('summary')
            break
        except (ValueError, AttributeError):
            continue
    return records, lines, summary


def alternatives(label):
    base = {k: label.get(k) for k in MATCH_FIELDS}
    yield base
    for alt in label.get('also_accept') or []:
        yield {**base, **{k: v for k, v in alt.items() if k in MATCH_FIELDS}}


def line_matches(line, label, alt):
    expected_action = label['outcome']
    if line.get('action') != expected_action:
        return 'action'
    if line.get('drift_type') not in as_list(alt['drift_type']):
        return 'drift_type'
    if line.get('resource_type') not in as_list(alt['resource_type']):
        return 'resource_type'
    if line.get('resource_id') not in as_list(alt['resource_id']):
        return 'resource_id'
    if expected_action == 'drift_resolved' and line.get('resolved_by') not in as_list(alt['resolved_by']):
        return 'resolved_by'
    return None


def about_resource(line, label):
    for alt in alternatives(label):
        if line.get('resource_type') in as_list(alt['resource_type']) and \
                line.get('resource_id') in as_list(alt['resource_id']):
            return True
    return False


def describe(line):
    if line is None:
        return 'no line'
    parts = [line.get('action'), line.get('drift_type'), line.get('resource_type'), line.get('resource_id')]
    if line.get('resolved_by'):
        parts.append('by ' + str(line['resolved_by']))
    return ' '.join(str(p) for p in parts)


def score_case(name, doc, lines, all_ids):
    labels = {lab['event_id']: lab for lab in doc['labels']}
    by_own_id = {}
    carried = {}
    for line in lines:
        by_own_id.setdefault(line.get('event_id'), []).append(line)
        for eid in line.get('event_ids') or []:
            carried.setdefault(eid, []).append(line)
    res = {'case': name, 'changes': 0, 'by_outcome': {}, 'reported': 0, 'exact': 0, 'false_alerts': 0,
           'extra_lines': 0, 'lines': len(lines), 'misses': [], 'wrong': [], 'false': []}
    for eid, lab in labels.items():
        outcome = lab['outcome']
        res['by_outcome'][outcome] = res['by_outcome'].get(outcome, 0) + 1
        own = by_own_id.get(eid, [])
        if outcome in SILENT_OUTCOMES:
            if own:
                res['false_alerts'] += len(own)
                res['false'].append((eid, lab['event_name'], outcome, describe(own[0])))
            continue
        res['changes'] += 1
        if outcome == 'repeat':
            rides = carried.get(eid, [])
            if rides or own:
                res['reported'] += 1
            if any(about_resource(line, lab) for line in rides) and not own:
                res['exact'] += 1
            else:
                res['wrong'].append((eid, lab['event_name'], 'repeat (id in event_ids)',
                                     describe(own[0]) if own else ('carried by ' + describe(rides[0]) if rides else 'not carried')))
            continue
        if own or carried.get(eid):
            res['reported'] += 1
        else:
            res['misses'].append((eid, lab['event_name'], outcome, describe(None)))
            continue
        if len(own) > 1:
            res['extra_lines'] += len(own) - 1
        reasons = []
        ok = False
        for line in own:
            for alt in alternatives(lab):
                why = line_matches(line, lab, alt)
                if why is None:
                    ok = True
                    break
                reasons.append(why)
            if ok:
                break
        if ok:
            res['exact'] += 1
        else:
            got = describe(own[0]) if own else 'only in event_ids of ' + describe(carried[eid][0])
            res['wrong'].append((eid, lab['event_name'], f'{outcome} {lab.get("drift_type")} '
                                 f'{"/".join(as_list(lab.get("resource_type")))}', got))
    for eid, own in by_own_id.items():
        if eid in labels:
            continue
        res['false_alerts'] += len(own)
        kind = 'read-only or failed record' if eid in all_ids else 'event id in no input'
        res['false'].append((eid, own[0].get('event_name'), kind, describe(own[0])))
    return res


def pct(a, b):
    return f'{100.0 * a / b:5.1f}%' if b else '   - '


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--binary', required=True, help='path to the tfdriftctl executable')
    ap.add_argument('--cases', default=os.path.join(os.path.dirname(__file__), '..', '..', 'Tests', 'Fixtures', 'labelled'),
                    help='directory holding one sub-directory per case (default: Tests/Fixtures/labelled)')
    ap.add_argument('--details', action='store_true', help='list every miss, wrong line and false alert')
    ap.add_argument('--json', action='store_true', help='print the results as one JSON object')
    ap.add_argument('--timeout', type=float, default=600, help='seconds per replay (default 600)')
    ap.add_argument('case', nargs='*', help='only these cases (directory names)')
    args = ap.parse_args()

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        sys.exit(f'--binary {args.binary}: not an executable file')
    root = os.path.abspath(args.cases)
    names = args.case or sorted(d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, 'labels.yaml')))
    results, errors = [], []
    for name in names:
        case_dir = os.path.join(root, name)
        try:
            doc = load_labels(case_dir)
            records, lines, summary = run_replay(binary, case_dir, doc, args.timeout)
            res = score_case(name, doc, lines, record_ids(records))
            res['summary'] = summary
            results.append(res)
        except CaseError as e:
            errors.append(str(e))

    total = {k: sum(r[k] for r in results) for k in ('changes', 'reported', 'exact', 'false_alerts', 'extra_lines', 'lines')}
    if args.json:
        print(json.dumps({'cases': [{k: v for k, v in r.items()} for r in results], 'total': {
            **total, 'recall': total['reported'] / total['changes'] if total['changes'] else None,
            'exact_rate': total['exact'] / total['changes'] if total['changes'] else None}, 'errors': errors}, indent=2))
    else:
        w = max([len(r['case']) for r in results] + [5])
        print(f'{"case":<{w}}  changes  reported  recall   exact   exact%  false  extra  lines')
        for r in results:
            print(f'{r["case"]:<{w}}  {r["changes"]:7d}  {r["reported"]:8d}  {pct(r["reported"], r["changes"])}  '
                  f'{r["exact"]:6d}  {pct(r["exact"], r["changes"])}  {r["false_alerts"]:5d}  {r["extra_lines"]:5d}  '
                  f'{r["lines"]:5d}')
        print(f'{"TOTAL":<{w}}  {total["changes"]:7d}  {total["reported"]:8d}  {pct(total["reported"], total["changes"])}  '
              f'{total["exact"]:6d}  {pct(total["exact"], total["changes"])}  {total["false_alerts"]:5d}  '
              f'{total["extra_lines"]:5d}  {total["lines"]:5d}')
        print('changes = labelled drift_detected + drift_resolved + repeat records; recall = reported with their event '
              'ids; exact = right action, drift_type, resource_type, resource_id, resolved_by; false = lines for records '
              'that must stay silent; extra = more than one line for one record')
        if args.details:
            for r in results:
                if not (r['misses'] or r['wrong'] or r['false']):
                    continue
                print(f'\n## {r["case"]}')
                for eid, ev, want, got in r['misses']:
                    print(f'  MISS   {eid} {ev}: want {want}, got {got}')
                for eid, ev, want, got in r['wrong']:
                    print(f'  WRONG  {eid} {ev}: want {want}, got {got}')
                for eid, ev, want, got in r['false']:
                    print(f'  FALSE  {eid} {ev} ({want}): got {got}')
    for e in errors:
        print('error: ' + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
