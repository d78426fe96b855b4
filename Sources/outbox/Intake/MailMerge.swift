import Foundation
import Mustache
import OutboxCore
import OutboxStore

/// Customer letters: one message per CSV row, rendered from Mustache templates.
///
/// The CSV's header row names the columns; `email` (or `address`) is required, `name`
/// and `key` are optional; every column is available to the templates as `{{column}}`.
/// Text bodies and the subject are rendered without HTML escaping, HTML bodies with it.
/// A template variable without a column is refused (naming the template, the CSV's
/// header line and the variable) unless `allowMissing`: then it renders empty.
struct MailMerge {
    let textTemplate: String?
    let htmlTemplate: String?
    let subjectTemplate: String
    let defaults: MessageFields
    let recipientsPath: String
    let limits: IntakeLimits
    /// Render variables the CSV has no column for as empty instead of refusing the batch.
    var allowMissing = false

    func drafts(csv: String) throws -> [(MessageDraft, String)] {
        let source = (recipientsPath as NSString).lastPathComponent
        let rows = try CSVParser.parse(csv, source: source)
        guard let header = rows.first else {
            throw IntakeError(.missingField, location: source, field: nil, "the recipients file is empty")
        }
        let columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let emailColumn = columns.firstIndex(of: "email") ?? columns.firstIndex(of: "address") else {
            throw IntakeError(.missingField, location: "\(source) line \(header.line)", field: "email",
                              "the header row needs an 'email' column (found: \(columns.joined(separator: ", ")))")
        }
        let subject = try compile(subjectTemplate, text: true, what: "--subject")
        let text = try textTemplate.map { try compile($0, text: true, what: "--template") }
        let html = try htmlTemplate.map { try compile($0, text: false, what: "--html-template") }
        if !allowMissing {
            for case let (template?, what) in [(Optional(subject), "--subject"), (text, "--template"), (html, "--html-template")] {
                try checkVariables(of: template, what: what, columns: columns, source: source, headerLine: header.line)
            }
        }
        let builder = DraftBuilder(defaults: defaults, limits: limits)

        var result: [(MessageDraft, String)] = []
        for row in rows.dropFirst() {
            let location = "\(source) line \(row.line)"
            guard row.fields.count == columns.count else {
                throw IntakeError(.syntax, location: location, field: nil, "row has \(row.fields.count) fields, the header has \(columns.count)")
            }
            var values: [String: String] = [:]
            for (column, value) in zip(columns, row.fields) { values[column] = value }
            var fields = MessageFields()
            let name = values["name"].flatMap { $0.isEmpty ? nil : $0 }
            fields.to = [RecipientField(address: row.fields[emailColumn], name: name)]
            fields.key = values["key"].flatMap { $0.isEmpty ? nil : $0 }
            fields.subject = subject.render(values)
            fields.text = text?.render(values)
            fields.html = html?.render(values)
            result.append((try builder.build(fields, location: location), location))
        }
        return result
    }

    /// Every variable of `template` is a column (columns are compared in lower case, as
    /// they are stored); the first one that is not is refused.
    private func checkVariables(of template: MustacheTemplate, what: String, columns: [String], source: String, headerLine: Int) throws(IntakeError) {
        let known = Set(columns)
        guard let missing = TemplateVariables.names(in: template).subtracting(known).sorted().first else { return }
        throw IntakeError(.template, location: "\(source) line \(headerLine)", field: missing,
                          "\(what) uses {{\(missing)}} but \(source) has no '\(missing)' column (columns: \(columns.joined(separator: ", "))); "
                              + "add the column, or pass --allow-missing to render it empty")
    }

    private func compile(_ template: String, text: Bool, what: String) throws -> MustacheTemplate {
        // On a line of its own, so the user's line numbers stay as they are.
        let pragma = text ? "{{% CONTENT_TYPE: TEXT}}\n" : ""
        do {
            return try MustacheTemplate(string: pragma + template)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber - (text ? 1 : 0)
            throw IntakeError(.template, location: "\(what) line \(line), column \(error.context.columnNumber + 1)", field: nil,
                              "template does not parse: \((error.error as? MustacheTemplate.Error).map(Self.describe) ?? "the template is malformed")")
        } catch {
            throw IntakeError(.template, location: what, field: nil, "template does not parse")
        }
    }

    private static func describe(_ error: MustacheTemplate.Error) -> String {
        switch error {
        case .sectionCloseNameIncorrect: "a section is closed with another name than it was opened with ({{#a}}…{{/a}})"
        case .unfinishedName: "a tag is not closed with }}"
        case .expectedSectionEnd: "a section is not closed ({{#name}} needs {{/name}})"
        case .invalidSetDelimiter: "a set-delimiter tag is malformed"
        case .transformAppliedToInheritanceSection: "a transform cannot be applied to an inheritance section"
        case .illegalTokenInsideInheritSection: "a tag is not allowed inside an inherit section"
        case .textInsideInheritSection: "text is not allowed inside an inherit section"
        case .invalidConfigVariableSyntax: "a {{% … }} configuration tag is malformed"
        case .unrecognisedConfigVariable: "a {{% … }} configuration tag is not known"
        @unknown default: "the template is malformed"
        }
    }
}
