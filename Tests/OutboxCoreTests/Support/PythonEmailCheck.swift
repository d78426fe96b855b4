import Foundation
import OutboxCore
import OutboxTestSupport

/// An independent check of composed messages: Python's `email` package
/// (`policy.default`) parses the bytes and compares what it decodes with the input.
enum PythonEmailCheck {
    /// The problems Python found (empty when none); throws when python3 cannot run.
    static func problems(in data: [UInt8], for message: MIMEMessage, structure: String?) throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-mime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let messageFile = directory.appendingPathComponent("message.eml")
        let expectedFile = directory.appendingPathComponent("expected.json")
        try Data(data).write(to: messageFile)
        try JSONSerialization.data(withJSONObject: expectation(for: message, structure: structure))
            .write(to: expectedFile)

        let result = try ChildProcess.runBlocking(try python3().path, ["-c", script, messageFile.path, expectedFile.path])
        guard result.status <= 1, let problems = try? JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String] else {
            return ["python3 failed (\(result.status)): " + result.stderrText]
        }
        return problems
    }

    static func python3() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = String(directory) + "/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return URL(fileURLWithPath: candidate) }
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "python3 not found on PATH"])
    }

    static func expectation(for message: MIMEMessage, structure: String?) -> [String: Any] {
        func list(_ mailboxes: [Mailbox]) -> [[String]] { mailboxes.map { [$0.displayName ?? "", $0.address] } }
        return [
            "structure": structure ?? NSNull(),
            "subject": message.subject,
            "from": list([message.from]),
            "to": list(message.to),
            "cc": list(message.cc),
            "reply_to": list(message.replyTo),
            "text": message.textBody ?? NSNull(),
            "html": message.htmlBody ?? NSNull(),
            "headers": message.headers.map { [$0.name, $0.value] },
            "attachments": message.attachments.filter { $0.contentID == nil }.map {
                ["filename": $0.filename, "content_type": $0.effectiveContentType, "data": Data($0.data).base64EncodedString()]
            },
            "inline": message.attachments.compactMap { image in
                image.contentID.map { ["cid": $0, "content_type": image.effectiveContentType, "data": Data(image.data).base64EncodedString()] }
            },
            "message_id": message.messageID,
            "date": Int(message.date.timeIntervalSince1970.rounded(.down)),
        ]
    }

    static let script = #"""
import base64, email, email.errors, email.header, email.policy, email.utils, hashlib, json, re, sys

data = open(sys.argv[1], 'rb').read()
exp = json.load(open(sys.argv[2]))
errors = []

def nl(s):
    return s.replace('\r\n', '\n').replace('\r', '\n')

# Raw form: CRLF only, no line over 998 octets, header lines within 78, encoded-words within 75.
if not data.endswith(b'\r\n'):
    errors.append('message does not end with CRLF')
lines = data.split(b'\r\n')[:-1]
in_header = True
for n, line in enumerate(lines, 1):
    if b'\r' in line or b'\n' in line:
        errors.append(f'line {n}: bare CR or LF')
    if len(line) > 998:
        errors.append(f'line {n}: {len(line)} octets')
    if line == b'':
        in_header = False
    elif line.startswith(b'--=_'):
        in_header = line.endswith(b'--') is False
    if in_header:
        words = re.findall(rb'=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=', line)
        for w in words:
            if len(w) > 75:
                errors.append(f'line {n}: encoded-word of {len(w)} characters')
        # Only after a field name too long for any encoded-word to fit may a first line pass 76.
        first_line_of_long_name = b':' in line and not line.startswith((b' ', b'\t')) and line.index(b':') + 2 + 24 > 76
        if words and len(line) > 76 and not first_line_of_long_name:
            errors.append(f'line {n}: {len(line)} characters with an encoded-word')
        if len(line) > 78 and b' ' in line[1:] and not first_line_of_long_name:
            errors.append(f'line {n}: header line of {len(line)} characters could have been folded')
    if line.startswith(b'From ') or line.startswith(b'.'):
        errors.append(f'line {n}: starts with {line[:5]!r}')

# RFC 6532: a header block with UTF-8 (an address with a UTF-8 local part) is read as UTF-8
# text, since Python's bytes parser does not; its note that a local part is not ASCII is
# then expected, not a defect.
utf8_headers = any(b >= 0x80 for b in data.split(b'\r\n\r\n', 1)[0])
if utf8_headers:
    msg = email.message_from_string(data.decode('utf-8'), policy=email.policy.SMTPUTF8)
else:
    msg = email.message_from_bytes(data, policy=email.policy.default)
expected_defect = lambda d: utf8_headers and isinstance(d, email.errors.NonASCIILocalPartDefect)

def structure(part):
    if part.is_multipart():
        return part.get_content_type() + '(' + ','.join(structure(p) for p in part.iter_parts()) + ')'
    return part.get_content_type()

for i, part in enumerate(msg.walk()):
    if part.defects:
        errors.append(f'part {i} defects: {part.defects}')
    for key in set(part.keys()):
        for h in part.get_all(key):
            defects = [d for d in getattr(h, 'defects', []) if not expected_defect(d)]
            if defects:
                errors.append(f'part {i} header {key} defects: {defects}')

def addresses(name, want):
    h = msg[name]
    if h is None:
        return [], want
    got = [[a.display_name, a.addr_spec] for a in h.addresses]
    raw = dict((k.lower(), v) for k, v in msg.raw_items())[name]
    # Python without the fix for CPython gh-128110 keeps the space between adjacent
    # encoded-words in a display name, though RFC 2047 6.2 says it is ignored: there,
    # decode the names with the legacy decoder, which follows the RFC.
    if re.search(r'\?=\s+=\?', raw):
        legacy = email.utils.getaddresses([raw.replace('\r\n', '')])
        got = [[str(email.header.make_header(email.header.decode_header(n))) if n else '', a] for n, a in legacy]
    # Python also collapses runs of spaces decoded from an encoded-word display name
    # (a phrase's FWS runs mean one space, RFC 5322 3.2.2); compare those names so.
    if '=?' in raw:
        collapse = lambda pairs: [[re.sub(' +', ' ', n), a] for n, a in pairs]
        got, want = collapse(got), collapse(want)
    return got, want

def check(what, got, want):
    if got != want:
        errors.append(f'{what}: got {got!r}, want {want!r}')

def compare():
    if exp.get('structure') is not None:
        check('structure', structure(msg), exp['structure'])
    check('subject', str(msg['subject']), exp['subject'])
    for key, header in (('from', 'from'), ('to', 'to'), ('cc', 'cc'), ('reply_to', 'reply-to')):
        check(key, *addresses(header, [[n or '', a] for n, a in exp[key]]))
    check('bcc absent', msg['bcc'], None)
    check('message-id', str(msg['message-id']), '<' + exp['message_id'] + '>')
    check('mime-version', str(msg['mime-version']), '1.0')
    date = msg['date']
    check('date', int(date.datetime.timestamp()) if date is not None and date.datetime else None, exp['date'])
    for name, value in exp['headers']:
        check('header ' + name, [str(h) for h in msg.get_all(name, [])], [value])

    for kind, key in (('plain', 'text'), ('html', 'html')):
        body = msg.get_body(preferencelist=(kind,))
        want = exp[key]
        if want is None:
            if body is not None and body.get_content_type() == 'text/' + kind:
                errors.append(f'unexpected text/{kind} body')
            continue
        if body is None or body.get_content_type() != 'text/' + kind:
            errors.append(f'no text/{kind} body')
            continue
        check(f'{kind} charset', body.get_content_charset(), 'utf-8')
        got = nl(body.get_content())
        # A single-part 7bit body gets a final line break so the message ends in CRLF.
        if got != nl(want) and not (got == nl(want) + '\n' and not nl(want).endswith('\n') and not msg.is_multipart()):
            errors.append(f'{kind} body differs: got {got!r:.300}, want {nl(want)!r:.300}')

    attachments = [p for p in msg.walk() if p.get_content_disposition() == 'attachment']
    check('attachment count', len(attachments), len(exp['attachments']))
    for i, (part, want) in enumerate(zip(attachments, exp['attachments'])):
        check(f'attachment {i} filename', part.get_filename(), want['filename'] or None)
        check(f'attachment {i} content type', part.get_content_type(), want['content_type'].split(';')[0].strip().lower())
        check(f'attachment {i} encoding', part['content-transfer-encoding'], 'base64')
        got = hashlib.sha256(part.get_payload(decode=True)).hexdigest()
        check(f'attachment {i} sha256', got, hashlib.sha256(base64.b64decode(want['data'])).hexdigest())

    # Inline images: the parts after the root of the one multipart/related, each inline
    # with its Content-ID; the HTML body is found through the related part.
    related = [p for p in msg.walk() if p.get_content_type() == 'multipart/related']
    check('related count', len(related), 1 if exp['inline'] else 0)
    if related and exp['inline']:
        parts = list(related[0].iter_parts())
        check('related root', parts[0].get_content_type(), related[0].get_param('type'))
        check('inline count', len(parts) - 1, len(exp['inline']))
        for i, (part, want) in enumerate(zip(parts[1:], exp['inline'])):
            check(f'inline {i} content-id', str(part['content-id']), '<' + want['cid'] + '>')
            check(f'inline {i} disposition', part.get_content_disposition(), 'inline')
            check(f'inline {i} content type', part.get_content_type(), want['content_type'])
            got = hashlib.sha256(part.get_payload(decode=True)).hexdigest()
            check(f'inline {i} sha256', got, hashlib.sha256(base64.b64decode(want['data'])).hexdigest())

try:
    compare()
except Exception as e:
    errors.append(f'could not compare: {e!r}')

print(json.dumps(errors, ensure_ascii=False, indent=1))
sys.exit(1 if errors else 0)
"""#
}
