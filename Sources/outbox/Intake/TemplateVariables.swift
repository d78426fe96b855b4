import Mustache

/// The names a Mustache template looks up in its data, found once per template.
///
/// swift-mustache does not report a name it cannot find (the lookup just yields nothing,
/// rendered as empty) and keeps its parsed tokens internal, so the names are found
/// through its one public lookup seam, ``MustacheParent``: the template is rendered twice
/// against a probe that records every name asked of it, once with every name present (so
/// `{{#section}}` bodies render) and once with every name false (so `{{^inverted}}` bodies
/// do). Of a dotted name (`{{a.b}}`) the first part is what the data must have.
enum TemplateVariables {
    static func names(in template: MustacheTemplate) -> Set<String> {
        var names = Set<String>()
        for present in [true, false] {
            let probe = Probe(present: present)
            _ = template.render(probe)
            names.formUnion(probe.asked)
        }
        return names
    }

    /// Answers every name (with a string, or `false`) and remembers it. Used on one
    /// thread for one render.
    private final class Probe: MustacheParent {
        let present: Bool
        var asked = Set<String>()

        init(present: Bool) { self.present = present }

        func child(named name: String) -> Any? {
            asked.insert(name)
            return present ? "x" : false
        }
    }
}
