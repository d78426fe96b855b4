// The decision order is Sisimai 4.25.15's (Sisimai::Data->make, Sisimai::Reason->get and
// ->anotherone, the `true` checks of Sisimai::Reason::*), BSD-2-Clause,
// Copyright (C) 2014-2021 azumakuniyuki.

/// Names the ``BounceReason`` of each recipient of a parsed report.
///
/// In order: non-bounces (complaint, success); a reason the reporting software's own text
/// names (``BounceReasonMTATable``); the receiving provider's wording and codes
/// (``BounceReasonProviderTable``, by Remote-MTA or recipient domain); then the reasons in
/// Sisimai's order, each confirmed by the enhanced status code (``BounceReasonStatusTable``),
/// the diagnostic wording (``BounceReasonPhraseTable``) and the SMTP command it answered;
/// finally the status class, the reply code and the action.
enum BounceReasonClassifier {
    /// The reason for `recipient` in `report`.
    static func reason(for recipient: BounceRecipient, in report: BounceReport) -> BounceReason {
        if report.kind == .complaint { return .feedback }
        if report.kind == .autoReply { return .vacation }
        switch recipient.action {
        case .delivered, .relayed, .expanded: return .delivered
        case .failed, .delayed: break
        }
        var input = BounceReasonInput(recipient: recipient, report: report)
        return reason(&input)
    }

    /// Reasons a first guess may still be refined from (Sisimai's `retry` list).
    static let refinable: Set<BounceReason> = [
        .undefined, .onhold, .systemerror, .securityerror, .networkerror, .hostunknown, .userunknown,
    ]

    static func reason(_ input: inout BounceReasonInput) -> BounceReason {
        if input.status?.statusClass == 2 { return .delivered }
        let preset = BounceReasonMTATable.reason(input)
        if let preset, !refinable.contains(preset) { return preset }
        for host in [input.remoteHost, input.destination].compactMap({ $0 }) {
            guard let provider = BounceReasonProviderTable.provider(host: host) else { continue }
            switch provider {
            case .google, .exchangeOnline, .francePTT, .goDaddy: if let preset { return preset }
            default: break
            }
            if let reason = BounceReasonProviderTable.reason(provider, input) { return reason }
            break
        }
        return reasonInOrder(&input, preset: preset)
    }

    /// Sisimai's first pass: the reasons whose status or wording confirms them, in order.
    static let firstPass: [BounceReason] = [
        .mailboxfull, .mesgtoobig, .exceedlimit, .suspend, .hasmoved, .norelaying, .userunknown, .filtered, .rejected,
        .hostunknown, .spamdetected, .toomanyconn, .blocked,
    ]

    /// Sisimai's second pass, on wording alone, when the status names no reason (or only
    /// a refinable one).
    static let secondPass: [BounceReason] = [
        .mailboxfull, .spamdetected, .policyviolation, .virusdetected, .norelaying, .securityerror, .systemerror,
        .networkerror, .suspend, .expired, .contenterror, .systemfull, .notaccept, .mailererror,
    ]

    static func reasonInOrder(_ input: inout BounceReasonInput, preset: BounceReason?) -> BounceReason {
        if BounceReasonPhraseTable.localDeliveryFailure.matches(input.text) { return .mailererror }
        for candidate in firstPass where isConfirmed(candidate, &input, preset: preset) { return candidate }
        if let preset { return preset }
        if let other = fallback(&input), other != .undefined { return other }
        if input.action == .delayed { return .expired }
        if input.format == .qmail, BounceReasonMTATable.qmailRecipientRefused.matches(input.text) { return .userunknown }
        if input.says(.vacation) { return .vacation }
        return input.text.isEmpty ? .undefined : .onhold
    }

    /// Whether `reason` holds for `input` (Sisimai's `true` of each reason class).
    static func isConfirmed(_ reason: BounceReason, _ input: inout BounceReasonInput, preset: BounceReason?) -> Bool {
        let byStatus = BounceReasonStatusTable.reason(of: input.status)
        func matches(_ candidate: BounceReason) -> Bool { input.says(candidate) }
        if preset == reason { return input.status != nil || ![.mailboxfull, .exceedlimit, .suspend, .spamdetected].contains(reason) }
        switch reason {
        case .mailboxfull, .exceedlimit:
            return input.status != nil && (byStatus == reason || matches(reason))
        case .mesgtoobig:
            if byStatus == .mesgtoobig { return true }
            if byStatus == .exceedlimit { return false }
            return matches(.mesgtoobig)
        case .suspend:
            return input.status != nil && matches(.suspend)
        case .hasmoved:
            return matches(.hasmoved)
        case .norelaying:
            if let preset, [.securityerror, .systemerror, .undefined].contains(preset) { return false }
            if input.command == .connect || input.command == .helo { return false }
            return matches(.norelaying)
        case .userunknown:
            if byStatus == .suspend { return false }
            if byStatus == .userunknown {
                let others: [BounceReason] = [.norelaying, .blocked, .mailboxfull, .hasmoved, .rejected, .notaccept]
                return !others.contains(where: matches)
            }
            // Sisimai needs the command to be RCPT; a report that does not say which command
            // failed but gives an addressing status (x.1.x) is read as RCPT too.
            let atRecipient = input.command == .rcpt || (input.command == nil && input.status?.subject == 1)
            return atRecipient && matches(.userunknown)
        case .filtered:
            if byStatus == .suspend { return false }
            if byStatus == .filtered { return matches(.userunknown) || matches(.filtered) }
            if let command = input.command, command != .data { return false }
            return matches(.filtered) || matches(.userunknown)
        case .rejected:
            if byStatus == .rejected { return true }
            switch input.command {
            case .mail: return matches(.rejected)
            case .data: return byStatus != .userunknown && matches(.rejected)
            default:
                guard byStatus == nil || byStatus == .onhold || byStatus == .securityerror || byStatus == .systemerror
                else { return false }
                return matches(.rejected)
            }
        case .hostunknown:
            if byStatus == .hostunknown { return !matches(.networkerror) }
            return matches(.hostunknown)
        case .spamdetected:
            guard input.status != nil else { return false }
            if let command = input.command, command != .data { return false }
            return matches(.spamdetected)
        case .toomanyconn, .blocked:
            return byStatus == reason || matches(reason)
        default:
            return false
        }
    }

    /// Sisimai's `anotherone`: the status's own reason unless it is vague, else wording
    /// alone, else the status class, the reply code and the command.
    static func fallback(_ input: inout BounceReasonInput) -> BounceReason? {
        let byStatus = BounceReasonStatusTable.reason(of: input.status)
        if let byStatus, byStatus != .expired, !refinable.contains(byStatus) { return byStatus }
        for candidate in secondPass where input.says(candidate) { return candidate }
        if let byStatus { return byStatus }
        if let status = input.status, status.subject == 6 { return .contenterror }
        if let status = input.status, status.subject == 7 { return .securityerror }
        if let reply = input.replyCode, (400...407).contains(reply) || (500...507).contains(reply) { return .syntaxerror }
        if input.action == .delayed { return .expired }
        if input.command == .helo { return .blocked }
        return nil
    }
}
