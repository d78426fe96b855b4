import Foundation
import Testing
@testable import OutboxCore

/// The shortcuts of ``DraftBuilder``: control characters found from UTF-8 bytes as the
/// Unicode category finds them, and the batch's attachments checked once for all messages
/// with the same result and the same errors as checking them for each message.
@Suite struct DraftBuilderShortcutTests {
    static func isControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    @Test func controlCharactersAreThoseOfTheUnicodeCategory() {
        // Every scalar of one and two UTF-8 bytes (C0, DEL, C1 and their neighbours), a sample above.
        let scalars = (0..<0x800).compactMap(Unicode.Scalar.init) + [0x2028, 0x200B, 0xFEFF, 0xFFFD, 0x1F600, 0x10FFFF].compactMap(Unicode.Scalar.init)
        for scalar in scalars {
            for text in [String(scalar), "inv-\(scalar)-7", "Jüri\(scalar)"] {
                #expect(DraftBuilder.hasControlCharacter(text) == Self.isControl(text), "U+\(String(scalar.value, radix: 16))")
            }
        }
    }

    static func fields(_ attachments: [AttachmentField]?, to: String = "a@example.com") -> MessageFields {
        var fields = MessageFields()
        fields.to = [RecipientField(address: to)]
        fields.attachments = attachments
        return fields
    }

    static func batch(_ attachments: [AttachmentField]) -> MessageFields {
        var defaults = MessageFields()
        defaults.owner = "alice"
        defaults.subject = "Arve"
        defaults.attachments = attachments
        return defaults
    }

    @Test func batchAttachmentsComeFirstForEveryMessage() throws {
        let builder = DraftBuilder(defaults: Self.batch([AttachmentField(path: "terms.pdf")]))
        for index in 0..<3 {
            let draft = try builder.build(Self.fields(index == 1 ? [AttachmentField(path: "own/invoice-1.pdf")] : nil), location: "line \(index)")
            #expect(draft.attachments.map(\.filename) == (index == 1 ? ["terms.pdf", "invoice-1.pdf"] : ["terms.pdf"]))
        }
        #expect(throws: IntakeError(.missingField, location: "line 9", field: "attachments[1].path", "attachment path is empty")) {
            _ = try builder.build(Self.fields([AttachmentField(path: "")]), location: "line 9")
        }
    }

    @Test func aBadBatchAttachmentIsReportedForTheMessageAsBefore() throws {
        let builder = DraftBuilder(defaults: Self.batch([AttachmentField(path: "terms.pdf"), AttachmentField(path: "")]))
        for location in ["line 2", "line 3"] {
            #expect(throws: IntakeError(.missingField, location: location, field: "attachments[1].path", "attachment path is empty")) {
                _ = try builder.build(Self.fields(nil), location: location)
            }
        }
    }
}
