import Foundation
import Testing
import OutboxCore
@testable import OutboxStore

/// The attachment policy and the empty-batch refusal at the store's API, where the next
/// front door (HTTP) will call them: same rules as the command line.
@Suite struct AttachmentPolicyStoreTests {
    private func attach(_ path: String) -> AttachmentSource { AttachmentSource(content: .file(path: path), filename: "a.pdf", contentType: nil) }

    @Test func aSymlinkSwappedOutOfTheRootIsRefusedAndNothingIsWritten() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let root = outbox.directory + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        _ = try outbox.file("root/ok.pdf", [1, 2, 3])
        let secret = try outbox.file("secret.pdf", [9, 9, 9])
        try FileManager.default.createSymbolicLink(atPath: root + "/escape.pdf", withDestinationPath: secret)
        let policy = AttachmentPolicy(roots: [root], baseDirectory: root, hint: "configure the API's attachment roots")

        #expect {
            _ = try outbox.database.enqueue(batchKey: nil, source: "api", now: 1, attachments: policy) { writer in
                try writer.add(try draft("a@example.com", attachments: [attach("ok.pdf")]), location: "request 1")
                try writer.add(try draft("b@example.com", attachments: [attach("escape.pdf")]), location: "request 2")
            }
        } throws: { error in
            let intake = error as? IntakeError
            return intake?.code == .attachmentOutsideRoots && intake?.location == "request 2"
                && intake?.reason.hasSuffix("configure the API's attachment roots") == true
        }
        #expect(try outbox.count("SELECT COUNT(*) FROM message") == 0)
        #expect(try outbox.count("SELECT COUNT(*) FROM content") == 0)
        #expect(policy.allows(AttachmentPolicy.realPath(root + "/ok.pdf")!))
        #expect(!policy.allows(AttachmentPolicy.realPath(root + "/escape.pdf")!))
    }

    @Test func aPolicyWithoutRootsAllowsNoFileButInlineContent() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        let file = try outbox.file("terms.pdf", [1])
        let none = AttachmentPolicy(roots: [], baseDirectory: nil)
        #expect(throws: IntakeError.self) {
            _ = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, attachments: none) { writer in
                try writer.add(try draft("a@example.com", attachments: [attach(file)]), location: "m")
            }
        }
        let inline = AttachmentSource(content: .inline([1, 2]), filename: "a.txt", contentType: nil)
        let result = try outbox.database.enqueue(batchKey: nil, source: nil, now: 1, attachments: none) { writer in
            try writer.add(try draft("a@example.com", attachments: [inline]), location: "m")
        }
        #expect(result.enqueued == 1)
    }

    @Test func anEmptyBatchIsRefusedWithoutABatchRow() throws {
        let outbox = try TemporaryOutbox()
        defer { outbox.cleanUp() }
        #expect {
            _ = try outbox.database.enqueue(batchKey: "empty", source: "erp.json", now: 1, attachments: AttachmentPolicy(roots: [], baseDirectory: nil)) { _ in }
        } throws: { error in
            (error as? IntakeError)?.code == .noMessages
        }
        #expect(try outbox.count("SELECT COUNT(*) FROM batch") == 0)
        #expect(try outbox.count("SELECT COUNT(*) FROM event") == 0)
    }
}
