/**
 * Finds the images of an ImageNet-style folder and their classes, as torchvision's ImageFolder
 * does: one sub-folder per class, class indices in the sorted order of the folder names, files
 * sorted within a class. Two layouts are accepted:
 *
 *   root/train/<class>/*.jpg and root/val/<class>/*.jpg (or root/test/...): ImageNet's own;
 *   root/<class>/*.jpg: a user's folder without a split, of which every tenth image of each class
 *   (the 10th, 20th, ... in sorted order) is held out for testing, the same ones every time.
 *
 * JPEG and PNG files are taken (by extension, any case); hidden files and anything else are left
 * out, so a folder's notes or thumbnails do not become samples.
 */
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { DatasetError } from '../errors';
import { fsError } from '../read-file';

export interface ImageEntry {
  readonly file: string;
  readonly label: number;
}

export interface ScannedFolder {
  readonly classes: readonly string[];
  readonly train: readonly ImageEntry[];
  readonly test: readonly ImageEntry[];
  /** How the test split was found, in words (for the dataset's `source`). */
  readonly layout: string;
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);
/** The decoded images' folder that image-folder.ts makes inside the data folder: never a class. */
export const CACHE_FOLDER = 'glif-image-cache';
const TEST_FOLDERS = ['val', 'test'] as const;
/** Every HELD_OUT_EVERY-th image of a class is a test image when the folder has no split. */
export const HELD_OUT_EVERY = 10;

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function entriesOf(dir: string) {
  try {
    return await fsp.readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw fsError(dir, err);
  }
}

async function subfolders(dir: string): Promise<string[]> {
  return (await entriesOf(dir))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== CACHE_FOLDER)
    .map((e) => e.name)
    .sort(byName);
}

async function imagesIn(dir: string): Promise<string[]> {
  return (await entriesOf(dir))
    .filter(
      (e) =>
        (e.isFile() || e.isSymbolicLink()) &&
        !e.name.startsWith('.') &&
        IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase()),
    )
    .map((e) => path.join(dir, e.name))
    .sort(byName);
}

/** Each class folder's images, labelled by the class's index in `classes`. */
async function labelledImages(dir: string, classes: readonly string[]): Promise<ImageEntry[][]> {
  return Promise.all(
    classes.map(async (name, label) =>
      (await imagesIn(path.join(dir, name))).map((file) => ({ file, label })),
    ),
  );
}

export async function scanImageFolder(root: string): Promise<ScannedFolder> {
  const top = await subfolders(root);
  const testName = TEST_FOLDERS.find((name) => top.includes(name));
  if (top.includes('train') && testName) {
    const trainDir = path.join(root, 'train');
    const testDir = path.join(root, testName);
    const classes = await subfolders(trainDir);
    if (classes.length < 2)
      throw new DatasetError(trainDir, `needs at least 2 class folders, found ${classes.length}`);
    const testClasses = await subfolders(testDir);
    const unknown = testClasses.filter((name) => !classes.includes(name));
    if (unknown.length > 0) {
      throw new DatasetError(
        testDir,
        `has class folders that train/ lacks: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', ...' : ''}`,
      );
    }
    const train = (await labelledImages(trainDir, classes)).flat();
    const test = (await labelledImages(testDir, classes)).flat();
    requireImages(trainDir, train.length);
    requireImages(testDir, test.length);
    return { classes, train, test, layout: `${root} (train/ and ${testName}/)` };
  }
  const classes = top;
  if (classes.length < 2) {
    throw new DatasetError(
      root,
      `expected class folders of JPEG/PNG images (at least 2), or train/ and val/ folders of them; found ${
        classes.length === 0 ? 'no folder' : `only ${classes[0]}/`
      }`,
    );
  }
  const train: ImageEntry[] = [];
  const test: ImageEntry[] = [];
  for (const images of await labelledImages(root, classes)) {
    images.forEach((entry, i) => ((i + 1) % HELD_OUT_EVERY === 0 ? test : train).push(entry));
  }
  requireImages(root, train.length);
  if (test.length === 0) {
    throw new DatasetError(
      root,
      `has no train/ and val/ folders and too few images to hold out a test split (every ${HELD_OUT_EVERY}th of a class)`,
    );
  }
  return {
    classes,
    train,
    test,
    layout: `${root} (every ${HELD_OUT_EVERY}th image of a class held out for testing)`,
  };
}

function requireImages(dir: string, count: number): void {
  if (count === 0) throw new DatasetError(dir, 'holds no .jpg, .jpeg or .png image in its class folders');
}
