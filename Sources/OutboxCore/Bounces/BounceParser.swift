/// Reads one message that came back to the bounce mailbox (RFC 5322 bytes, possibly MIME,
/// possibly broken) into a ``BounceReport``.
///
/// Pure and total: any input gives a report, never a crash or an error; time and memory
/// are bounded by ``BounceLimits`` (input cut at 10 MiB, at most 1,000 parts nested at
/// most 10 deep, capped header counts), and what was cut is listed in
/// ``BounceReport/anomalies``. RFC 3464 reports are read field by field; the common
/// non-standard notices (qmail, Exim, Postfix, Exchange, Yahoo, GroupWise, plain text)
/// heuristically.
public struct BounceParser: Sendable {
    /// Headers of the returned message copied into ``BounceReport/returnedHeaders`` unless
    /// the caller names others.
    public static let defaultReturnedHeaderNames = ["Message-ID", "X-Outbox-Token", "From", "To", "Subject", "Date"]

    public var limits: BounceLimits
    /// Headers of the returned message to report, matched without regard to case.
    public var returnedHeaderNames: [String]

    public init(returnedHeaderNames: [String] = BounceParser.defaultReturnedHeaderNames, limits: BounceLimits = BounceLimits()) {
        self.returnedHeaderNames = returnedHeaderNames
        self.limits = limits
    }

    /// Parses `message`; see the type's documentation.
    public func parse(_ message: [UInt8]) -> BounceReport {
        var report = parseRecipients(message)
        for index in report.perRecipient.indices {
            report.perRecipient[index].reason = BounceReasonClassifier.reason(for: report.perRecipient[index], in: report)
        }
        return report
    }

    /// Everything but the reasons: kind, format, recipients, returned headers.
    private func parseRecipients(_ message: [UInt8]) -> BounceReport {
        var anomalies: Set<BounceAnomaly> = []
        let bytes = message[..<min(message.count, max(limits.maxInputBytes, 0))]
        if message.count > bytes.count { anomalies.insert(.inputTruncated) }
        let reader = BounceMIMEReader(bytes, limits: limits)
        anomalies.formUnion(reader.anomalies)
        let parts = reader.parts
        guard let top = parts.first else {
            return BounceReport(kind: .notABounce, format: .none, anomalies: anomalies)
        }
        let subject = top.headers.value("subject").map(BounceEncodedWords.decode)
        var report = BounceReport(
            kind: .notABounce, format: .none, envelopeRecipients: envelopeRecipients(top.headers), subject: subject,
            anomalies: anomalies)

        // The returned message, as a part.
        if let returned = parts.first(where: { Self.returnedTypes.contains($0.contentType.mediaType) }) {
            var body = returned.decodedBody(in: bytes)[...]
            if returned.contentType.subtype.hasSuffix("headers") == false, body.count > 512 << 10 {
                body = body.prefix(512 << 10)  // the header is at the top
            }
            copyReturned(BounceHeaderBlock(body, limits: limits), into: &report)
        }

        // RFC 3464 delivery-status parts.
        let isReport = top.contentType.mediaType == "multipart/report"
        var statusTexts = parts.filter { Self.statusTypes.contains($0.contentType.mediaType) }
            .prefix(10).map { $0.decodedBody(in: bytes) }
        let text = reportText(parts, bytes: bytes)
        if statusTexts.isEmpty, BounceBytes.find(Array("final-recipient:".utf8), in: text[...]) != nil {
            statusTexts = [text]  // a report pasted into a text body
        }
        for status in statusTexts {
            let reader = BounceDeliveryStatusReader(status[...], limits: limits)
            report.reportingMTA = report.reportingMTA ?? reader.reportingMTA
            report.arrivalDate = report.arrivalDate ?? reader.arrivalDate
            report.originalEnvelopeID = report.originalEnvelopeID ?? reader.originalEnvelopeID
            report.perRecipient.append(contentsOf: reader.recipients.prefix(limits.maxRecipients - report.perRecipient.count))
        }

        let signals = BounceAutoReplySignals(top.headers, subject: subject ?? "")
        let scanner = BounceTextScanner(
            text: text, subject: subject ?? "", excluded: Set(report.envelopeRecipients.map { $0.lowercased() } + ownAddresses(top.headers)),
            limits: limits)
        if report.returnedMessageID == nil, report.returnedHeaders.isEmpty, let inline = scanner.returnedHeaders {
            copyReturned(inline, into: &report)
        }

        if !report.perRecipient.isEmpty {
            report.format = .rfc3464
            report.kind = Self.kind(of: report.perRecipient)
            // Fill diagnostics a terse report left out from the human-readable part.
            for index in report.perRecipient.indices where report.perRecipient[index].diagnosticCode == nil {
                let address = report.perRecipient[index].finalRecipient.lowercased()
                if let match = scanner.recipients.first(where: { $0.finalRecipient.lowercased() == address }) {
                    report.perRecipient[index].diagnosticCode = match.diagnosticCode
                    report.perRecipient[index].smtpReplyCode = match.smtpReplyCode
                }
            }
            return report
        }
        if signals.isAutoReply, !signals.isBounceSender {
            report.kind = .autoReply
            report.format = .autoReplyHeaders
            return report
        }
        let bounceEvidence = signals.isBounceSender || signals.isBounceSubject || isReport
        let scannerTrusted = bounceEvidence || (scanner.hasBouncePhrase && scanner.format != .genericText)
        if scannerTrusted, !scanner.recipients.isEmpty {
            report.perRecipient = scanner.recipients
            report.format = scanner.format
            report.kind = Self.kind(of: scanner.recipients)
            return report
        }
        if signals.isAutoReply || signals.isAutoSubmittedReply, !signals.isBounceSender {
            report.kind = .autoReply
            report.format = .autoReplyHeaders
        } else if scannerTrusted {
            report.kind = .unrecognised
        }
        return report
    }

    static let returnedTypes: Set<String> = [
        "message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers", "message/rfc822-headers",
    ]
    static let statusTypes: Set<String> = ["message/delivery-status", "message/global-delivery-status"]

    /// Failure if any recipient failed, else a delay if any is delayed, else success.
    static func kind(of recipients: [BounceRecipient]) -> BounceKind {
        if recipients.contains(where: { $0.action == .failed }) { return .deliveryFailure }
        if recipients.contains(where: { $0.action == .delayed }) { return .delayWarning }
        return .deliverySuccess
    }

    private func copyReturned(_ headers: BounceHeaderBlock, into report: inout BounceReport) {
        for name in returnedHeaderNames {
            if let value = headers.value(name), report.returnedHeaders[name] == nil {
                report.returnedHeaders[name] = BounceEncodedWords.decode(value)
            }
        }
        if let id = headers.value("message-id") {
            var text = Substring(id)
            if let open = text.firstIndex(of: "<") { text = text[text.index(after: open)...] }
            if let close = text.firstIndex(of: ">") { text = text[..<close] }
            let trimmed = BounceBytes.collapsed(String(text))
            if !trimmed.isEmpty { report.returnedMessageID = trimmed }
        }
    }

    /// The decoded human-readable text: text/plain parts outside returned messages (HTML
    /// only when there is no plain text), capped at `limits.maxScannedTextBytes`.
    private func reportText(_ parts: [BouncePart], bytes: ArraySlice<UInt8>) -> [UInt8] {
        var text: [UInt8] = []
        let cap = limits.maxScannedTextBytes
        var sawPlain = false
        for pass in 0..<2 where !sawPlain {
            for part in parts where text.count < cap {
                let type = part.contentType
                let isPlain = type.mediaType == "text/plain" || part.isOpaque
                let wanted = pass == 0 ? isPlain : type.mediaType == "text/html"
                guard wanted else { continue }
                // Budget: decode at most a bounded slice of each part.
                var slice = bytes[part.body]
                slice = slice.prefix(cap * 2)
                var decoded = BounceTransferDecoder.decode(slice, encoding: part.transferEncoding)
                if pass == 1 { decoded = BounceHTMLText.text(decoded[...]) }
                let charset = type.parameters["charset"]
                if let charset, charset.lowercased() != "utf-8", charset.lowercased() != "us-ascii" {
                    decoded = Array(BounceBytes.string(decoded[...], charset: charset).utf8)
                }
                text.append(contentsOf: decoded.prefix(cap - text.count))
                text.append(BounceBytes.lf)
                if pass == 0 { sawPlain = true }
            }
        }
        return text
    }

    private func envelopeRecipients(_ headers: BounceHeaderBlock) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for name in ["delivered-to", "x-original-to", "envelope-to", "x-envelope-to", "to"] {
            for value in headers.values(name).prefix(20) {
                for address in BounceAddressScanner.addresses(in: Array(value.utf8)[...], limit: 20)
                where seen.insert(address.lowercased()).inserted {
                    result.append(address)
                }
            }
        }
        return result
    }

    private func ownAddresses(_ headers: BounceHeaderBlock) -> [String] {
        ["from", "sender", "reply-to"].flatMap { headers.values($0) }.flatMap {
            BounceAddressScanner.addresses(in: Array($0.utf8)[...], limit: 10).map { $0.lowercased() }
        }
    }
}
