import Foundation
import OutboxCore
import Testing

/// Inline images: an HTML body that shows `cid:` images is sent as multipart/related with
/// the images as inline parts carrying their Content-ID, inside multipart/mixed when there
/// are attachments too; Python's `email` parser reads every layout back.
@Suite struct InlineImageComposerTests {
    static let png = MIMEAttachment(filename: "logo.png", data: MIMEComposerTests.randomBytes(3_000, seed: 7), contentID: "logo")
    static let gif = MIMEAttachment(filename: "allkiri", contentType: "image/gif", data: MIMEComposerTests.randomBytes(900, seed: 8),
                                    contentID: "allkiri.2026@firma.ee")
    static let html = "<p><img src=\"cid:logo\"> Tere!</p><p><img src='cid:allkiri.2026@firma.ee'></p>\n"

    @Test func textHTMLImagesAndAttachment() throws {
        let pdf = MIMEAttachment(filename: "arve.pdf", data: MIMEComposerTests.randomBytes(5_000, seed: 9))
        let data = try MIMEComposerTests.verify(
            MIMEComposerTests.message(html: Self.html, attachments: [pdf, Self.png, Self.gif]),
            structure: "multipart/mixed(multipart/related(multipart/alternative(text/plain,text/html),image/png,image/gif),application/pdf)")
        let text = MIMEComposerTests.text(data)
        #expect(text.contains("Content-Type: multipart/related; type=\"multipart/alternative\";"))
        #expect(text.contains("Content-Disposition: inline; filename=\"logo.png\"\r\nContent-ID: <logo>\r\n"))
        #expect(text.contains("Content-Disposition: attachment; filename=\"arve.pdf\"\r\n"))
    }

    @Test func withoutAttachmentsRelatedIsTopLevel() throws {
        _ = try MIMEComposerTests.verify(
            MIMEComposerTests.message(html: Self.html, attachments: [Self.png, Self.gif]),
            structure: "multipart/related(multipart/alternative(text/plain,text/html),image/png,image/gif)")
    }

    @Test func htmlOnlyIsRelatedOfHTMLAndImages() throws {
        let data = try MIMEComposerTests.verify(
            MIMEComposerTests.message(text: nil, html: Self.html, attachments: [Self.png]),
            structure: "multipart/related(text/html,image/png)")
        #expect(MIMEComposerTests.text(data).contains("multipart/related; type=\"text/html\";"))
    }

    @Test func composingAgainGivesTheSameBytes() {
        let message = MIMEComposerTests.message(html: Self.html, attachments: [Self.png, Self.gif])
        #expect(MIMEComposer.compose(message) == MIMEComposer.compose(message))
    }

    @Test func contentIDSyntax() {
        for good in ["logo", "logo.2026@firma.ee", "a-b_c+d=e", String(repeating: "x", count: 128)] {
            #expect(ContentID.problem(good) == nil, "\(good)")
        }
        for bad in ["", "cid:logo", "<logo>", "lo go", "lõgo", "a@b@c", "@logo", ".logo", "logo.", "a..b", "a.@b", "logo\"",
                    String(repeating: "x", count: 129)] {
            #expect(ContentID.problem(bad) != nil, "\(bad)")
        }
    }

    @Test func referencesInHTML() {
        let html = """
            <img src="cid:logo"><img SRC = 'CID:foot%2Enote'><td background=cid:bg>\
            <div style="background: url(cid:pattern)">write cid:notalink here</div><img src="cid:logo">
            """
        #expect(ContentID.references(in: html) == ["logo", "foot.note", "bg", "pattern"])
    }
}
