import Foundation

/// Amazon SES notifications in JSON (sent by SNS to an e-mail subscription, or posted as
/// is): `notificationType` (or `eventType`) `Bounce`, `Complaint` or `Delivery`, with
/// the recipients under `bounce.bouncedRecipients`, `complaint.complainedRecipients` or
/// `delivery.recipients`, and the sent message's header under `mail.headers`. The SNS
/// envelope (`"Type": "Notification"`) carries the notification as a JSON string in
/// `Message`. Field names as Sisimai::Lhost::AmazonSES reads them (Sisimai, BSD-2-Clause).
struct BounceAmazonNotification {
    private(set) var kind: BounceKind = .notABounce
    private(set) var recipients: [BounceRecipient] = []
    /// Header fields of the sent message (`mail.headers`, else `mail.commonHeaders`).
    private(set) var headers: [(name: String, value: String)] = []

    /// Reads `text` when it holds an SES notification; nil otherwise.
    init?(_ text: [UInt8], limits: BounceLimits) {
        guard let open = text.firstIndex(of: UInt8(ascii: "{")), let close = text.lastIndex(of: UInt8(ascii: "}")),
            open < close, BounceBytes.find(Array("notificationtype".utf8), in: text[...]) != nil
                || BounceBytes.find(Array("eventtype".utf8), in: text[...]) != nil
        else { return nil }
        guard var object = Self.object(Data(text[open...close])) ?? Self.object(Self.unwrapped(text[open...close])) else {
            return nil
        }
        if object["notificationType"] == nil, object["eventType"] == nil, let inner = object["Message"] as? String {
            guard let message = Self.object(Data(inner.utf8)) else { return nil }
            object = message
        }
        let type = ((object["notificationType"] ?? object["eventType"]) as? String)?.lowercased()
        let mail = object["mail"] as? [String: Any] ?? [:]
        readHeaders(mail)
        switch type {
        case "bounce":
            let bounce = object["bounce"] as? [String: Any] ?? [:]
            let transient = (bounce["bounceType"] as? String)?.lowercased() == "transient"
            let reportingMTA = (bounce["reportingMTA"] as? String).map(BounceDeliveryStatusReader.typed)
            for entry in Self.list(bounce["bouncedRecipients"], limits) {
                guard let address = entry["emailAddress"] as? String else { continue }
                let diagnostic = (entry["diagnosticCode"] as? String).map { String(BounceDeliveryStatusReader.typed($0).prefix(2_000)) }
                let status = (entry["status"] as? String).flatMap { EnhancedStatusCode(Substring($0)) }
                    ?? diagnostic.flatMap(BounceStatusText.enhancedStatus(in:))
                let action = (entry["action"] as? String).flatMap(BounceAction.init(fieldValue:))
                    ?? (transient ? .delayed : .failed)
                recipients.append(BounceRecipient(
                    finalRecipient: BounceDeliveryStatusReader.address(address), action: action, status: status,
                    diagnosticCode: diagnostic, smtpReplyCode: diagnostic.flatMap(BounceStatusText.replyCode(in:)),
                    remoteMTA: reportingMTA))
            }
            kind = BounceParser.kind(of: recipients)
        case "complaint":
            let complaint = object["complaint"] as? [String: Any] ?? [:]
            let feedback = (complaint["complaintFeedbackType"] as? String).map { " (feedback-type \($0))" } ?? ""
            for entry in Self.list(complaint["complainedRecipients"], limits) {
                guard let address = entry["emailAddress"] as? String else { continue }
                recipients.append(BounceRecipient(
                    finalRecipient: BounceDeliveryStatusReader.address(address), action: .delivered,
                    diagnosticCode: "spam complaint" + feedback))
            }
            kind = .complaint
        case "delivery":
            let delivery = object["delivery"] as? [String: Any] ?? [:]
            let response = (delivery["smtpResponse"] as? String).map { String($0.prefix(2_000)) }
            let reportingMTA = delivery["reportingMTA"] as? String
            for address in (delivery["recipients"] as? [Any] ?? []).prefix(limits.maxRecipients).compactMap({ $0 as? String }) {
                recipients.append(BounceRecipient(
                    finalRecipient: BounceDeliveryStatusReader.address(address), action: .delivered,
                    status: response.flatMap(BounceStatusText.enhancedStatus(in:)), diagnosticCode: response,
                    smtpReplyCode: response.flatMap(BounceStatusText.replyCode(in:)), remoteMTA: reportingMTA))
            }
            kind = .deliverySuccess
        default:
            return nil
        }
        if recipients.isEmpty, kind != .notABounce { kind = .unrecognised }
    }

    private mutating func readHeaders(_ mail: [String: Any]) {
        for entry in (mail["headers"] as? [Any] ?? []).prefix(200) {
            guard let field = entry as? [String: Any], let name = field["name"] as? String,
                let value = field["value"] as? String
            else { continue }
            headers.append((name, value))
        }
        if !headers.contains(where: { $0.name.lowercased() == "message-id" }),
            let common = mail["commonHeaders"] as? [String: Any], let id = common["messageId"] as? String
        {
            headers.append(("Message-ID", id))
        }
    }

    /// The JSON with the line breaks a mail system folded into it (`LF` + space, even
    /// inside a string) taken out.
    private static func unwrapped(_ json: ArraySlice<UInt8>) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(json.count)
        var index = json.startIndex
        while index < json.endIndex {
            let byte = json[index]
            if byte == BounceBytes.cr || byte == BounceBytes.lf {
                index += 1
                if byte == BounceBytes.cr, index < json.endIndex, json[index] == BounceBytes.lf { index += 1 }
                if index < json.endIndex, json[index] == BounceBytes.space { index += 1 }
                continue
            }
            out.append(byte)
            index += 1
        }
        return Data(out)
    }

    private static func object(_ data: Data) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: data, options: [])) as? [String: Any]
    }

    private static func list(_ value: Any?, _ limits: BounceLimits) -> [[String: Any]] {
        (value as? [Any] ?? []).prefix(limits.maxRecipients).compactMap { $0 as? [String: Any] }
    }
}
