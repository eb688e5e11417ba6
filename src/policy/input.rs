//! regorus values built straight from the YAML node tree (no serde_json detour: converting
//! through JSON costs as much as evaluating).

use crate::yaml::{Node, Value as Yaml};
use regorus::Value;

/// The node as the Rego `input` sees it (keys stringified as `sigs.k8s.io/yaml` does).
pub fn node_to_value(node: &Node) -> Value {
    match &node.value {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::from(*b),
        Yaml::Int(i) => Value::from(*i),
        Yaml::Float(f) if f.is_finite() => Value::from(*f),
        Yaml::Float(_) => Value::Null,
        Yaml::Str(s) => Value::from(s.as_str()),
        Yaml::Seq(items) => Value::from(items.iter().map(node_to_value).collect::<Vec<_>>()),
        Yaml::Map(entries) => {
            let object: regorus::value::Object = entries
                .iter()
                .map(|(k, v)| (Value::from(k.key_string().as_ref()), node_to_value(v)))
                .collect();
            Value::from(object)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn same_value_as_through_json() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: 'yes'}}\ndata:\n  on: yes\n  num: 0777\n  f: 1.5\n  l: [1, ~, true]\n";
        let parsed = crate::yaml::parse(FileId(0), text);
        let root = parsed.documents[0].root.as_ref().unwrap();
        let direct = node_to_value(root);
        let via_json = Value::from(root.to_json());
        assert_eq!(direct, via_json);
        assert_eq!(direct["data"]["num"], Value::from(511));
    }
}
