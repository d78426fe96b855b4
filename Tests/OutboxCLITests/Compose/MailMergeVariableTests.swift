import Foundation
import OutboxTestSupport
import Testing

/// Mail merge refuses a template variable the CSV has no column for, naming the CSV file
/// and line, the template and the variable; `--allow-missing` renders it empty.
@Suite(.timeLimit(.minutes(10))) struct MailMergeVariableTests {
    @Test func missingVariableIsRefusedUnlessAllowed() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let csv = try workspace.write("kliendid.csv", "email,name,summa\nliga@example.lv,Līga,12.50\nmari@example.ee,Mari,7\n")
        // {{arve}} (no such column) only inside a section, and {{#vip}} a missing section name too.
        let text = try workspace.write("kiri.txt", "Tere, {{name}}!\n\nSumma: {{summa}}.\n{{#summa}}Arve nr {{arve}}{{/summa}}\n")
        let html = try workspace.write("kiri.html", "<p>Tere, {{name}}!</p>{{^vip}}<p>Tavaklient</p>{{/vip}}")
        let merge = ["enqueue", "--template", text, "--recipients", csv, "--subject", "Arve {{summa}}", "--owner", "juri"]

        let refused = try workspace.outbox.run(merge)
        #expect(refused.status == 65 && refused.stderr.contains(
            "kliendid.csv line 1, field 'arve': --template uses {{arve}} but kliendid.csv has no 'arve' column (columns: email, name, summa)"),
            "\(refused.stderr)")
        let section = try workspace.outbox.run(["enqueue", "--html-template", html, "--recipients", csv, "--subject", "x", "--owner", "juri"])
        #expect(section.status == 65 && section.stderr.contains("field 'vip': --html-template uses {{vip}}"), "\(section.stderr)")
        let subject = try workspace.outbox.run(["enqueue", "--template", text, "--recipients", csv, "--subject", "Arve {{number}}", "--owner", "juri"])
        #expect(subject.status == 65 && subject.stderr.contains("field 'number': --subject uses {{number}}"), "\(subject.stderr)")
        #expect(try ComposeFixtures.rows("message", in: workspace.outbox.database) == 0)

        let dry = try workspace.outbox.run(merge + ["--allow-missing", "--dry-run", "--render", "1"])
        #expect(dry.status == 0 && dry.stdout.contains("2 message(s) to 2 recipient(s) would be enqueued"), "\(dry.stderr)")
        #expect(dry.stdout.contains("Summa: 12.50.\r\nArve nr=20\r\n"), "\(dry.stdout)")  // the empty variable: a trailing space, quoted-printable
        let misuse = try workspace.outbox.run(["enqueue", csv, "--allow-missing"])
        #expect(misuse.status != 0 && misuse.stderr.contains("--allow-missing is for mail merge"), "\(misuse.stderr)")
        let allowed = try workspace.outbox.run(merge + ["--allow-missing"])
        #expect(allowed.status == 0 && allowed.stdout.contains("2 message(s) enqueued"), "\(allowed.stderr)")
    }

    /// A letter template with a logo: `--inline logo=FILE`, shown by the HTML template as cid:logo.
    @Test func inlineImageInAMergedLetter() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        try Data(ComposeFixtures.png).write(to: URL(fileURLWithPath: workspace.directory + "/logo.png"))
        let csv = try workspace.write("kliendid.csv", "email,name\nliga@example.lv,Līga\n")
        let html = try workspace.write("kiri.html", "<img src=\"cid:logo\"><p>Tere, {{name}}!</p>")
        let merge = ["enqueue", "--html-template", html, "--recipients", csv, "--subject", "Uudised", "--owner", "juri"]
        let dry = try workspace.outbox.run(merge + ["--inline", "logo=" + workspace.directory + "/logo.png", "--dry-run", "--render", "1"])
        #expect(dry.status == 0 && dry.stdout.contains("multipart/related; type=\"text/html\"") && dry.stdout.contains("Content-ID: <logo>"),
                "\(dry.stdout)\(dry.stderr)")
        let missing = try workspace.outbox.run(merge)
        #expect(missing.status == 65 && missing.stderr.contains("kliendid.csv line 2, field 'html': the html shows cid:logo but no inline image"),
                "\(missing.stderr)")
        let malformed = try workspace.outbox.run(merge + ["--inline", "logo.png"])
        #expect(malformed.status != 0 && malformed.stderr.contains("give CID=FILE"), "\(malformed.stderr)")
    }
}
