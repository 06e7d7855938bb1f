package dev.adjoint.spark;

import java.io.Serializable;
import org.ejml.data.DMatrixRMaj;

/**
 * One column block of the data: the same columns (samples) of every data matrix, in the order
 * the data parameters were named.
 *
 * @param index position of the block among all blocks (0-based), used to sample minibatches
 * @param data  one matrix per data parameter, all with the same number of columns
 */
record Block(int index, DMatrixRMaj[] data) implements Serializable {
    private static final long serialVersionUID = 1L;

    int columns() {
        return data[0].numCols;
    }
}
