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
        var report = parseRecipients(message[...])
        for index in report.perRecipient.indices {
            report.perRecipient[index].reason = BounceReasonClassifier.reason(for: report.perRecipient[index], in: report)
        }
        return report
    }

    /// Everything but the reasons: kind, format, recipients, returned headers. A bounce
    /// returned inside another (a forwarded notice) is read once more when the outer one
    /// names nobody; `nested` stops a third level.
    private func parseRecipients(_ message: ArraySlice<UInt8>, nested: Bool = false) -> BounceReport {
        var anomalies: Set<BounceAnomaly> = []
        let bytes = message.prefix(max(limits.maxInputBytes, 0))
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
        var returnedHeader: BounceHeaderBlock?
        var returnedPart: BouncePart?
        if let returned = parts.first(where: { Self.returnedTypes.contains($0.contentType.mediaType) }) {
            var body = returned.decodedBody(in: bytes)[...]
            if returned.contentType.subtype.hasSuffix("headers") == false, body.count > 512 << 10 {
                body = body.prefix(512 << 10)  // the header is at the top
            }
            returnedHeader = BounceHeaderBlock(body, limits: limits)
            returnedPart = returned
            copyReturned(returnedHeader!, into: &report)
        }

        let text = reportText(parts, bytes: bytes)
        if BounceFeedbackReport.isFeedbackReport(top: top, parts: parts, subject: subject ?? "") {
            let feedback = BounceFeedbackReport(parts: parts, bytes: bytes, returned: returnedHeader, limits: limits)
            report.format = .feedbackReport
            report.reportingMTA = feedback.reportingMTA
            if feedback.isComplaint {
                // Without a named recipient (redacted) the complaint still matches its
                // message by the returned Message-ID or token.
                report.kind = .complaint
                report.perRecipient = feedback.perRecipient()
            }
            return report
        }
        if let notification = BounceAmazonNotification(text, limits: limits) {
            report.format = .amazonSESNotification
            report.kind = notification.kind
            report.perRecipient = notification.recipients
            copyReturned(into: &report) { name in
                notification.headers.first(where: { $0.name.lowercased() == name.lowercased() })?.value
            }
            return report
        }

        // RFC 3464 delivery-status parts.
        let isReport = top.contentType.mediaType == "multipart/report"
        var statusTexts = parts.filter { Self.statusTypes.contains($0.contentType.mediaType) }
            .prefix(10).map { $0.decodedBody(in: bytes) }
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
            returnedHeader = returnedHeader ?? inline
            copyReturned(inline, into: &report)
        }
        let returnedTo = returnedHeader.map { header in
            header.values("to").prefix(20).flatMap { BounceAddressScanner.addresses(in: Array($0.utf8)[...], limit: 20) }
        } ?? []

        if !report.perRecipient.isEmpty {
            report.format = .rfc3464
            repairAddresses(&report.perRecipient, scanned: scanner.recipients, returnedTo: returnedTo)
        }
        if !report.perRecipient.isEmpty {
            report.kind = Self.kind(of: report.perRecipient)
            // Fill diagnostics a terse report left out from the human-readable part.
            for index in report.perRecipient.indices where report.perRecipient[index].diagnosticCode == nil {
                let address = report.perRecipient[index].finalRecipient.lowercased()
                if let match = scanner.recipients.first(where: { $0.finalRecipient.lowercased() == address }) {
                    report.perRecipient[index].diagnosticCode = match.diagnosticCode
                    report.perRecipient[index].smtpReplyCode = match.smtpReplyCode
                } else if report.perRecipient.count == 1, [.failed, .delayed].contains(report.perRecipient[index].action) {
                    report.perRecipient[index].diagnosticCode = scanner.notice
                }
            }
            return report
        }
        let failedHeader = top.headers.values("x-failed-recipients").prefix(20).flatMap {
            BounceAddressScanner.addresses(in: Array($0.utf8)[...], limit: 100)
        }.filter(BounceTextScanner.isMailbox)
        // An auto-reply (RFC 3834: often with an empty return path too) unless a mailer
        // daemon wrote it or it says it is a bounce.
        if !signals.isDaemonSender, failedHeader.isEmpty,
            signals.isAutoReply || (!signals.isBounceSubject && !isReport
                && (signals.isAutoSubmittedReply || BounceAutoReplySignals.bodyReadsAutoReply(text)))
        {
            report.kind = .autoReply
            report.format = .autoReplyHeaders
            return report
        }
        let bounceEvidence = signals.isBounceSender || signals.isBounceSubject || isReport || !failedHeader.isEmpty
        let scannerTrusted = bounceEvidence || (scanner.hasBouncePhrase && scanner.format != .genericText)
        if scannerTrusted, !scanner.recipients.isEmpty || !failedHeader.isEmpty {
            report.perRecipient = Self.merged(scanner.recipients, failedHeader: failedHeader, scanner: scanner)
            report.format = scanner.recipients.isEmpty ? .failedRecipientsHeader : scanner.format
        } else if bounceEvidence, !nested, let returnedPart,
            case let inner = parseRecipients(returnedPart.decodedBody(in: bytes)[...], nested: true),
            inner.kind == .deliveryFailure || inner.kind == .delayWarning
        {
            // A notice that forwards another MTA's bounce (X5's relays).
            report.perRecipient = inner.perRecipient
            report.format = inner.format
            if inner.returnedMessageID != nil || !inner.returnedHeaders.isEmpty {
                report.returnedMessageID = inner.returnedMessageID
                report.returnedHeaders = inner.returnedHeaders
            }
        } else if bounceEvidence, returnedTo.count == 1, let address = returnedTo.first {
            // A notice that names no recipient of its own (Sendmail 5's "Cannot send message
            // for 4 days", Postfix's "Delivery report unavailable"): the returned message
            // was sent to one address, and that is the one that failed.
            report.perRecipient = [scanner.makeRecipient(address, diagnostic: scanner.notice)]
            report.format = .returnedMessage
        }
        if !report.perRecipient.isEmpty {
            // The notice's text explains a single recipient (it cannot tell several apart).
            if report.perRecipient.count == 1, report.perRecipient[0].diagnosticCode?.isEmpty ?? true {
                report.perRecipient[0] = scanner.makeRecipient(report.perRecipient[0].finalRecipient, diagnostic: scanner.notice)
            }
            report.kind = Self.kind(of: report.perRecipient)
            return report
        }
        if scannerTrusted {
            report.kind = .unrecognised
        }
        return report
    }

    /// The failed recipients of a notice: those its text names, completed with those of
    /// its `X-Failed-Recipients` header (Exim, Google), the MTA's own list.
    private static func merged(_ scanned: [BounceRecipient], failedHeader: [String], scanner: BounceTextScanner) -> [BounceRecipient] {
        var result = scanned
        var seen = Set(scanned.map { $0.finalRecipient.lowercased() })
        for address in failedHeader where seen.insert(address.lowercased()).inserted {
            result.append(scanner.makeRecipient(address, diagnostic: nil))
        }
        return result
    }

    /// Replaces report addresses that are not addresses (`@mx.example.org`, a Sendmail
    /// route) by the one the text or the returned message names, and drops them where
    /// nothing names one.
    private func repairAddresses(_ recipients: inout [BounceRecipient], scanned: [BounceRecipient], returnedTo: [String]) {
        let broken = recipients.indices.filter { BounceAddressScanner.exactAddress(Array(recipients[$0].finalRecipient.utf8)[...]) == nil }
        guard !broken.isEmpty else { return }
        let known = Set(recipients.map { $0.finalRecipient.lowercased() })
        let candidates = scanned.map(\.finalRecipient).filter { !known.contains($0.lowercased()) }
        let replacement = candidates.count == 1 ? candidates[0] : (broken.count == 1 && returnedTo.count == 1 ? returnedTo[0] : nil)
        for index in broken.reversed() {
            if let original = recipients[index].originalRecipient,
                BounceAddressScanner.exactAddress(Array(original.utf8)[...]) != nil
            {
                recipients[index].finalRecipient = original
            } else if broken.count == 1, let replacement {
                recipients[index].finalRecipient = replacement
            } else {
                recipients.remove(at: index)
            }
        }
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
        copyReturned(into: &report) { headers.value($0) }
    }

    /// Copies the wanted fields of the returned message, `value` looking one up by name.
    private func copyReturned(into report: inout BounceReport, value: (String) -> String?) {
        for name in returnedHeaderNames {
            if let found = value(name), report.returnedHeaders[name] == nil {
                report.returnedHeaders[name] = BounceEncodedWords.decode(found)
            }
        }
        if let id = value("message-id") {
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
