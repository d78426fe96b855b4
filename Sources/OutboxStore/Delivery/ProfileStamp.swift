/// SQL for the version of the profile layers an owner resolves from: the owner's own and
/// the company profile's `updated_at`. A hold ends when it changes.
enum ProfileStamp {
    /// An expression over the owner in `ownerColumn`.
    static func sql(_ ownerColumn: String) -> String {
        """
        (COALESCE((SELECT updated_at FROM profile WHERE owner = \(ownerColumn)), -1) || ':' ||
         COALESCE((SELECT p.updated_at FROM setting s JOIN profile p ON p.owner = s.value
                   WHERE s.name = 'global-profile'), -1))
        """
    }
}
