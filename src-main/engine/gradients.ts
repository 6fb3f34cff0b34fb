// tfjs-core's Node bundle leaves out the gradient functions of its ops; the union package's
// bundle registers them (with the cpu backend) on import. Every module that differentiates
// imports this file so gradients exist whichever backend is active.
import '@tensorflow/tfjs';
