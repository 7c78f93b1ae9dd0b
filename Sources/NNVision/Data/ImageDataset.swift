// ImageDataset: the list of (image file, label) of a dataset folder, in the order PyTorch
// code would see them. Two layouts: food-11 flat (`<label>_<n>.jpg` files, as the homework's
// `sorted(os.listdir)` lists them) and torchvision ImageFolder (one sub-folder per class).
// It only lists files; decoding is DecodedImages' job.

import NNCore
import Foundation

/// The samples of an image folder, with labels and class names.
public struct ImageDataset: Sendable {
    /// How the folder is organised.
    public enum Layout: String, Sendable {
        /// Image files named `<label>_<n>.jpg` side by side (food-11); other names are unlabelled.
        case flat
        /// torchvision ImageFolder: one sub-folder per class, classes sorted by name, label = index.
        case imageFolder
    }

    /// One image file and its label (nil when the file name carries none, e.g. food-11 evaluation).
    public struct Sample: Equatable, Sendable {
        public let path: String
        public let label: Int?

        public init(path: String, label: Int?) {
            self.path = path
            self.label = label
        }
    }

    /// food-11's split folder names.
    public static let splitNames = ["training", "validation", "evaluation"]
    /// torchvision's `IMG_EXTENSIONS`, matched case-insensitively on the file name's end.
    public static let imageExtensions = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"]

    /// The folder that was listed (`root` or `root/split`).
    public let directory: String
    public let layout: Layout
    /// Every sample, in PyTorch's order (Python `sorted` on the paths).
    public let samples: [Sample]
    /// Class names by label: ImageFolder's sorted folder names, or "0"..."max label" for the flat layout.
    public let classNames: [String]

    /// Lists `root`, or `root/split` when `split` is given and that folder exists.
    ///
    /// Layout: image files directly in the folder make it flat (sub-folders are then ignored);
    /// otherwise its sub-folders are ImageFolder classes. A missing `root/split` falls back to
    /// `root` itself, unless `root` holds food-11 split folders (then it is an error).
    /// - Parameters:
    ///   - root: the dataset folder.
    ///   - split: e.g. "validation"; nil lists `root` (which must then not hold split folders).
    public init(root: String, split: String? = nil) throws {
        let rootEntries = try Self.entries(of: root)
        let splitFolders = rootEntries.directories.filter { Self.splitNames.contains($0) }.sorted(by: pythonLess)
        var directory = root
        if let split, rootEntries.directories.contains(split) {
            directory = (root as NSString).appendingPathComponent(split)
        } else if !splitFolders.isEmpty {
            let reason = split.map { "has no split folder '\($0)'" } ?? "holds split folders; choose one"
            throw NNError.badDataset(path: root, reason: "\(reason) (found: \(splitFolders.joined(separator: ", ")))")
        }
        let entries = directory == root ? rootEntries : try Self.entries(of: directory)
        let images = entries.files.filter(Self.isImageFile)
        if !images.isEmpty {
            self.init(flat: directory, files: images)
        } else if !entries.directories.isEmpty {
            try self.init(imageFolder: directory, classes: entries.directories)
        } else {
            throw NNError.badDataset(path: directory, reason: "no images (\(Self.imageExtensions.joined(separator: ", "))) and no class folders")
        }
    }

    /// The flat layout: label = the integer before the first `_` of the file name.
    private init(flat directory: String, files: [String]) {
        let samples = files.sorted(by: pythonLess).map { name in
            Sample(path: (directory as NSString).appendingPathComponent(name), label: Self.flatLabel(name))
        }
        let maxLabel = samples.compactMap(\.label).max()
        self.directory = directory
        self.layout = .flat
        self.samples = samples
        self.classNames = maxLabel.map { (0...$0).map(String.init) } ?? []
    }

    /// The ImageFolder layout: classes sorted, each class folder walked as torchvision's `make_dataset`.
    private init(imageFolder directory: String, classes: [String]) throws {
        let classNames = classes.sorted(by: pythonLess)
        var samples: [Sample] = []
        for (label, name) in classNames.enumerated() {
            let files = try Self.walk((directory as NSString).appendingPathComponent(name)).filter {
                Self.isImageFile(($0 as NSString).lastPathComponent)
            }
            guard !files.isEmpty else {
                throw NNError.badDataset(path: directory, reason: "class folder '\(name)' holds no images (torchvision refuses this too)")
            }
            samples += files.map { Sample(path: $0, label: label) }
        }
        self.directory = directory
        self.layout = .imageFolder
        self.samples = samples
        self.classNames = classNames
    }
}
