//! Every file and object of the repository, frozen after the parse stage.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::load::LoadedFile;
use crate::object::Object;
use crate::source::{FileId, SourceFile};
use crate::yaml::Document;

#[derive(Debug)]
pub struct Inventory {
    pub root: PathBuf,
    /// Indexed by `FileId`.
    pub files: Vec<SourceFile>,
    /// Each file's documents, indexed by `FileId`.
    pub documents: Vec<Vec<Document>>,
    /// All objects, in file order.
    pub objects: Vec<Object>,
    /// `(directory, text)` of every `.sourceignore` file (Flux artifact ignore rules).
    pub source_ignores: Vec<(String, String)>,
    by_kind: HashMap<String, Vec<usize>>,
    by_path: HashMap<String, FileId>,
}

impl Inventory {
    /// Takes the loaded files (in `FileId` order) apart into the frozen inventory.
    pub fn new(root: PathBuf, loaded: Vec<LoadedFile>) -> Inventory {
        let mut inventory = Inventory {
            root,
            files: Vec::with_capacity(loaded.len()),
            documents: Vec::with_capacity(loaded.len()),
            objects: Vec::new(),
            source_ignores: Vec::new(),
            by_kind: HashMap::new(),
            by_path: HashMap::new(),
        };
        for file in loaded {
            debug_assert_eq!(file.source.id.0 as usize, inventory.files.len());
            inventory
                .by_path
                .insert(file.source.path.clone(), file.source.id);
            inventory.files.push(file.source);
            inventory.documents.push(file.documents);
            for object in file.objects {
                inventory
                    .by_kind
                    .entry(object.id.kind.clone())
                    .or_default()
                    .push(inventory.objects.len());
                inventory.objects.push(object);
            }
        }
        inventory
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn file_by_path(&self, path: &str) -> Option<&SourceFile> {
        self.by_path.get(path).map(|&id| self.file(id))
    }

    pub fn objects_of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(|&index| &self.objects[index])
    }
}
