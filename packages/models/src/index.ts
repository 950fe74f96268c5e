export type { DenseMatrix, FitOptions, SerializedModel, Classifier, ClassifierFactory } from './classifier';
